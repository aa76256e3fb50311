package zisk.distributed.coordinator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import zisk.distributed.api.v1.Challenges;
import zisk.distributed.api.v1.ChallengesList;
import zisk.distributed.api.v1.ComputeCapacity;
import zisk.distributed.api.v1.ExecuteTaskRequest;
import zisk.distributed.api.v1.ExecuteTaskResponse;
import zisk.distributed.api.v1.JobsListRequest;
import zisk.distributed.api.v1.LaunchProofRequest;
import zisk.distributed.api.v1.ProverMessage;
import zisk.distributed.api.v1.ProverRegisterRequest;
import zisk.distributed.api.v1.SystemStatusRequest;
import zisk.distributed.api.v1.TaskType;
import zisk.distributed.coordinator.config.CoordinatorConfig;
import zisk.distributed.coordinator.testing.RawProver;
import zisk.distributed.coordinator.testing.RunningCoordinator;
import zisk.distributed.coordinator.testing.TestDatabase;

/**
 * What a stranger with a socket can make the coordinator do, over real TCP: oversized messages,
 * bytes that are no protobuf message, bytes that are no HTTP/2 at all. Each is refused with a clear
 * status and one log line at most, without a stack trace.
 */
class TransportBoundsTest {

  private static final int TWO_MIB = 2 * 1024 * 1024;

  private RunningCoordinator coordinator;
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeEach
  void start() {
    coordinator = RunningCoordinator.onTcp(CoordinatorConfig.local(TestDatabase.freshJdbcUrl()));
    root().addAppender(logs);
    logs.start();
  }

  @AfterEach
  void stop() {
    root().detachAppender(logs);
    coordinator.close();
  }

  @Test
  void anAdminCallLargerThanOneMebibyteIsRefusedWhileItArrives() {
    LaunchProofRequest huge =
        LaunchProofRequest.newBuilder()
            .setBlockId("block")
            .setComputeCapacity(1)
            .setInputPath("/" + "x".repeat(TWO_MIB))
            .build();

    StatusRuntimeException refused =
        assertThrows(StatusRuntimeException.class, () -> coordinator.stub().launchProof(huge));

    assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getStatus().getCode());
    // Refused by the per-call limit as the bytes came in, not by gRPC's check of the whole size.
    assertTrue(
        refused.getStatus().getDescription().contains("larger than 1048576 bytes"),
        refused.getStatus().getDescription());
    assertHealthy();
    assertNoStackTraces();
  }

  @Test
  void anUnregisteredProverStreamIsHeldToTheSmallLimit() {
    try (RawProver stranger = RawProver.open(coordinator.channel(), true)) {
      stranger.send(
          ProverMessage.newBuilder()
              .setRegister(
                  ProverRegisterRequest.newBuilder()
                      .setProverId("p".repeat(TWO_MIB))
                      .setComputeCapacity(ComputeCapacity.newBuilder().setComputeUnits(1)))
              .build());

      assertEquals(Status.Code.RESOURCE_EXHAUSTED, stranger.awaitEnd().getCode());
    }
  }

  @Test
  void aRegisteredProverMaySendLargeResults() {
    try (RawProver prover = RawProver.open(coordinator.channel(), true)) {
      assertTrue(prover.register("big-results", 1).getAccepted());
      coordinator
          .stub()
          .launchProof(
              LaunchProofRequest.newBuilder()
                  .setBlockId("block")
                  .setComputeCapacity(1)
                  .setInputPath("/in")
                  .build());
      ExecuteTaskRequest task = prover.awaitTask();
      Challenges.Builder challenges = Challenges.newBuilder().setProverIndex(0);
      for (long i = 0; i < 400_000; i++) {
        challenges.addChallenge(Long.MAX_VALUE - i); // about 4 MB on the wire
      }
      ExecuteTaskResponse result =
          RawProver.success(task, "big-results").toBuilder()
              .setChallenges(ChallengesList.newBuilder().addChallenges(challenges))
              .build();
      assertTrue(result.getSerializedSize() > TWO_MIB);

      prover.sendResult(result);

      assertEquals(TaskType.PROVE, prover.awaitTask().getTaskType());
      assertFalse(prover.hasEnded());
    }
  }

  @Test
  void malformedProtobufAnswersInvalidArgumentWithoutAStackTrace() {
    byte[] invalidUtf8 = {0x0A, 0x02, (byte) 0xC3, 0x28}; // job_id: two bytes that are no UTF-8
    byte[] truncated = {0x0A, 0x10, 0x61}; // job_id: says 16 bytes, has one
    byte[] badTag = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F};

    for (byte[] request : List.of(invalidUtf8, truncated, badTag)) {
      StatusRuntimeException refused =
          assertThrows(StatusRuntimeException.class, () -> callRaw("JobStatus", request));
      assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
      assertTrue(
          refused.getStatus().getDescription().startsWith("malformed request"),
          refused.getStatus().getDescription());
    }
    StatusRuntimeException launch =
        assertThrows(StatusRuntimeException.class, () -> callRaw("LaunchProof", truncated));
    assertEquals(Status.Code.INVALID_ARGUMENT, launch.getStatus().getCode());

    assertHealthy();
    assertNoStackTraces();
    assertTrue(
        logs.list.stream()
            .filter(e -> e.getLoggerName().startsWith("zisk") || e.getLoggerName().startsWith("io"))
            .filter(e -> e.getFormattedMessage().contains("parse"))
            .noneMatch(e -> e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.INFO)),
        "at most debug lines");
  }

  @Test
  void aMalformedMessageOnARegisteredStreamEndsItAndTheProverIsRecordedGone() {
    MethodDescriptor<byte[], byte[]> stream =
        MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
            .setFullMethodName("zisk.distributed.api.v1.ZiskDistributedApi/ProverStream")
            .setRequestMarshaller(BYTES)
            .setResponseMarshaller(BYTES)
            .build();
    CompletableFuture<Status> ended = new CompletableFuture<>();
    CompletableFuture<byte[]> answered = new CompletableFuture<>();
    StreamObserver<byte[]> requests =
        ClientCalls.asyncBidiStreamingCall(
            coordinator.channel().newCall(stream, CallOptions.DEFAULT),
            new StreamObserver<>() {
              @Override
              public void onNext(byte[] message) {
                answered.complete(message);
              }

              @Override
              public void onError(Throwable error) {
                ended.complete(Status.fromThrowable(error));
              }

              @Override
              public void onCompleted() {
                ended.complete(Status.OK);
              }
            });
    requests.onNext(register("raw-prover").toByteArray());
    answered.orTimeout(20, TimeUnit.SECONDS).join();

    requests.onNext(new byte[] {0x0A, 0x10, 0x61}); // says 16 bytes, has one

    Status status = ended.orTimeout(20, TimeUnit.SECONDS).join();
    assertEquals(Status.Code.INVALID_ARGUMENT, status.getCode(), status.toString());
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                coordinator
                    .jdbi()
                    .withHandle(
                        h ->
                            h.createQuery(
                                    "SELECT state FROM provers WHERE prover_id = 'raw-prover'")
                                .mapTo(String.class)
                                .one())
                    .equals("DISCONNECTED"));
    assertNoStackTraces();
  }

  private static ProverMessage register(String proverId) {
    return ProverMessage.newBuilder()
        .setRegister(
            ProverRegisterRequest.newBuilder()
                .setProverId(proverId)
                .setComputeCapacity(ComputeCapacity.newBuilder().setComputeUnits(1)))
        .build();
  }

  @Test
  void garbageOnThePortCostsOneLineAndNoStackTrace() throws Exception {
    Random random = new Random(9);
    for (int connection = 0; connection < 5; connection++) {
      byte[] garbage = new byte[4096];
      random.nextBytes(garbage);
      sendAndDrain(garbage);
    }
    sendAndDrain("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

    // gRPC's lines reach our log (left alone, they go to standard error with a stack trace)...
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> transportLines() >= 6);
    assertHealthy();
    // ... one per connection, without a stack trace.
    assertEquals(6, transportLines(), lines());
    assertNoStackTraces();
  }

  private long transportLines() {
    return logs.list.stream().filter(e -> e.getLoggerName().startsWith("io.grpc")).count();
  }

  @Test
  void compressedMessagesAreRefused() {
    StatusRuntimeException refused =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                coordinator
                    .stub()
                    .withCompression("gzip")
                    .jobsList(JobsListRequest.getDefaultInstance()));

    assertEquals(Status.Code.UNIMPLEMENTED, refused.getStatus().getCode());
  }

  /** Sends bytes on a fresh connection and reads until the server hangs up (or resets). */
  private void sendAndDrain(byte[] bytes) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", coordinator.server().port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(bytes);
      out.flush();
      InputStream in = socket.getInputStream();
      while (in.read() != -1) {
        // whatever it answers before it hangs up
      }
    } catch (SocketException reset) {
      // a reset is a hang-up too
    }
  }

  private byte[] callRaw(String method, byte[] request) {
    MethodDescriptor<byte[], byte[]> raw =
        MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("zisk.distributed.api.v1.ZiskDistributedApi/" + method)
            .setRequestMarshaller(BYTES)
            .setResponseMarshaller(BYTES)
            .build();
    return ClientCalls.blockingUnaryCall(
        coordinator.channel(),
        raw,
        CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS),
        request);
  }

  private static final MethodDescriptor.Marshaller<byte[]> BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
          }
        }
      };

  private void assertHealthy() {
    assertTrue(
        coordinator.stub().systemStatus(SystemStatusRequest.getDefaultInstance()).hasStatus(),
        "the coordinator still answers");
  }

  private void assertNoStackTraces() {
    assertTrue(
        logs.list.stream().noneMatch(e -> e.getThrowableProxy() != null),
        "no stack trace logged: " + lines());
  }

  private String lines() {
    return logs.list.stream()
        .map(e -> e.getLevel() + " " + e.getLoggerName() + " " + e.getFormattedMessage())
        .toList()
        .toString();
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }
}
