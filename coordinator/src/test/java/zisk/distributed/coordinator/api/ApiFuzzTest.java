package zisk.distributed.coordinator.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import zisk.distributed.api.v1.ComputeCapacity;
import zisk.distributed.api.v1.CoordinatorMessage;
import zisk.distributed.api.v1.ErrorResponse;
import zisk.distributed.api.v1.HealthCheckRequest;
import zisk.distributed.api.v1.JobStatusRequest;
import zisk.distributed.api.v1.LaunchProofRequest;
import zisk.distributed.api.v1.ProverMessage;
import zisk.distributed.api.v1.ProverReconnectRequest;
import zisk.distributed.api.v1.ProverRegisterRequest;
import zisk.distributed.api.v1.ZiskDistributedApiGrpc;
import zisk.distributed.coordinator.config.CoordinatorConfig;
import zisk.distributed.coordinator.testing.RawProver;
import zisk.distributed.coordinator.testing.RunningCoordinator;
import zisk.distributed.coordinator.testing.TestDatabase;
import zisk.distributed.coordinator.testing.fuzz.ByteMutator;
import zisk.distributed.coordinator.testing.fuzz.FuzzBudget;
import zisk.distributed.coordinator.testing.fuzz.RandomMessages;
import zisk.distributed.coordinator.testing.fuzz.RawRpc;
import zisk.distributed.coordinator.testing.fuzz.TableDigest;

/**
 * Hostile clients against a real coordinator on a real socket: every RPC of ZiskDistributedApi gets
 * random well-formed messages and mutated bytes, ProverStream gets random message sequences, and
 * the port gets random bytes. Whatever comes in, the answer is a clear error (a gRPC status other
 * than UNKNOWN or INTERNAL, or an ErrorResponse with a stable code) or a valid result; a rejected
 * call changes no row; and the coordinator is healthy afterwards.
 *
 * <p>A bounded number of cases runs with the normal test command; {@code -Dzisk.fuzz.tries=N} (or
 * {@code ZISK_FUZZ_TRIES}) runs a long campaign. Each test collects every finding before it fails,
 * so one run lists them all, each with the seed that replays it.
 */
class ApiFuzzTest {

  /** Answers that say "something broke" rather than what was wrong with the request. */
  private static final Set<Status.Code> UNCLEAR =
      EnumSet.of(
          Status.Code.UNKNOWN,
          Status.Code.INTERNAL,
          Status.Code.DATA_LOSS,
          Status.Code.UNAVAILABLE,
          Status.Code.UNIMPLEMENTED,
          Status.Code.DEADLINE_EXCEEDED,
          Status.Code.CANCELLED);

  private static final Set<String> UNCLEAR_CODES =
      Set.of("INTERNAL", "UNKNOWN", "SYSTEM_UNAVAILABLE");

  /** Error texts are for people: bounded, never an echo of a huge input. */
  private static final int MAX_ERROR_TEXT = 1024;

  private static final List<MethodDescriptor<?, ?>> UNARY =
      ZiskDistributedApiGrpc.getServiceDescriptor().getMethods().stream()
          .filter(method -> method.getType() == MethodDescriptor.MethodType.UNARY)
          .toList();

  private final FuzzBudget budget = FuzzBudget.fromEnvironment();
  private final Random random = new Random(budget.seed());
  private final RandomMessages messages = new RandomMessages(random);
  private final ByteMutator mutator = new ByteMutator(random);
  private final Findings findings = new Findings();
  private RunningCoordinator coordinator;

  @BeforeEach
  void coordinatorWithJobs() {
    coordinator = RunningCoordinator.onTcp(CoordinatorConfig.local(TestDatabase.freshJdbcUrl()));
    for (int capacity : new int[] {1, 2, 5, 10_000}) {
      messages.rememberId(launch(capacity));
    }
  }

  @AfterEach
  void stop() {
    coordinator.close();
  }

  /**
   * Fails on main before issue 9's "ids never echoed whole": JobStatus, GetProof and CancelJob
   * answer an unknown id of any length with "no job with id '<the whole id>'".
   */
  @Test
  void wellFormedRequestsToEveryRpcGetAClearAnswerAndRejectedOnesChangeNothing() {
    for (int i = 0; i < budget.tries(); i++) {
      MethodDescriptor<?, ?> method = UNARY.get(random.nextInt(UNARY.size()));
      Message request = messages.of(RawRpc.requestPrototype(method));
      callOnce(method, request.toByteArray(), budget.where("well-formed", i));
    }
    checkHealthy();
    findings.assertNone();
  }

  /**
   * Fails on main before issue 9's "malformed request answers INVALID_ARGUMENT": grpc-java answers
   * a request it cannot parse with UNKNOWN ("Application error processing RPC").
   */
  @Test
  void malformedRequestsToEveryRpcAreRefusedAsInvalidAndChangeNothing() {
    for (int i = 0; i < budget.tries(); i++) {
      MethodDescriptor<?, ?> method = UNARY.get(random.nextInt(UNARY.size()));
      byte[] valid = messages.of(RawRpc.requestPrototype(method)).toByteArray();
      byte[] request =
          switch (random.nextInt(5)) {
            case 0, 1 -> mutator.mutate(valid);
            case 2 -> mutator.withInvalidUtf8(valid, stringFieldOf(method));
            case 3 -> truncated(valid);
            default -> mutator.randomBytes();
          };
      callOnce(method, request, budget.where("malformed", i));
    }
    checkHealthy();
    findings.assertNone();
  }

  /**
   * Fails on main before issue 9's "malformed request answers INVALID_ARGUMENT": a message that
   * does not parse ends the stream with UNKNOWN.
   */
  @Test
  void proverStreamSurvivesRandomMessageSequences() throws Exception {
    for (int i = 0; i < budget.share(10, 40); i++) {
      streamOnce(i, budget.where("ProverStream", i));
    }
    checkHealthy();
    findings.assertNone();
  }

  @Test
  void garbageOnThePortLeavesTheCoordinatorHealthy() throws IOException {
    byte[] preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < budget.share(20, 30); i++) {
      byte[] garbage = mutator.randomBytes();
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", coordinator.server().port()), 5_000);
        socket.setSoTimeout(5_000);
        OutputStream out = socket.getOutputStream();
        if (random.nextBoolean()) {
          out.write(preface);
        }
        out.write(garbage);
        socket.shutdownOutput();
        if (!hangsUp(socket.getInputStream())) {
          findings.add(
              budget.where("garbage", i),
              "port",
              "the connection stayed open 5 s after " + garbage.length + " garbage bytes");
        }
      } catch (SocketException e) {
        // The coordinator hung up while the garbage was still being written: fine.
      }
    }
    checkHealthy();
    findings.assertNone();
  }

  // ---- one unary call

  private void callOnce(MethodDescriptor<?, ?> method, byte[] request, String where) {
    String rpc = method.getBareMethodName();
    boolean parses = parses(RawRpc.requestPrototype(method), request);
    String before = TableDigest.of(coordinator.jdbi());
    RawRpc.Answer answer = RawRpc.unary(coordinator.channel(), method, request);
    boolean rejected;
    if (answer.failed()) {
      rejected = true;
      Status status = answer.status();
      if (!parses
          && status.getCode() != Status.Code.INVALID_ARGUMENT
          && status.getCode() != Status.Code.RESOURCE_EXHAUSTED) {
        findings.add(
            where,
            rpc,
            "malformed request answered " + status.getCode() + ", not INVALID_ARGUMENT",
            brief(status));
      } else if (UNCLEAR.contains(status.getCode())) {
        findings.add(where, rpc, "answered " + status.getCode(), brief(status));
      }
      checkErrorText(where, rpc, status.getDescription());
    } else {
      Message response = parseResponse(method, answer.response(), where);
      if (response == null) {
        return;
      }
      if (!parses) {
        findings.add(where, rpc, "a malformed request was answered as if valid");
      }
      ErrorResponse error = errorOf(response);
      rejected = error != null;
      if (error != null) {
        checkErrorResponse(where, rpc, error);
      } else {
        checkResult(where, rpc, response);
      }
    }
    if (rejected) {
      String after = TableDigest.of(coordinator.jdbi());
      if (!after.equals(before)) {
        findings.add(where, rpc, "a rejected call changed rows", before + " -> " + after);
      }
    }
  }

  private Message parseResponse(MethodDescriptor<?, ?> method, byte[] bytes, String where) {
    try {
      return RawRpc.responsePrototype(method).getParserForType().parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      findings.add(where, method.getBareMethodName(), "answer does not parse: " + e.getMessage());
      return null;
    }
  }

  private void checkResult(String where, String rpc, Message response) {
    for (OneofDescriptor oneof : response.getDescriptorForType().getRealOneofs()) {
      if (!response.hasOneof(oneof)) {
        findings.add(where, rpc, "answer with neither result nor error");
      }
    }
    FieldDescriptor status = response.getDescriptorForType().findFieldByName("status");
    if (rpc.equals("HealthCheck") && !"SERVING".equals(response.getField(status))) {
      findings.add(where, rpc, "not SERVING: " + response);
    }
    FieldDescriptor jobId = response.getDescriptorForType().findFieldByName("job_id");
    if (rpc.equals("LaunchProof") && response.hasField(jobId)) {
      messages.rememberId((String) response.getField(jobId));
    }
  }

  private void checkErrorResponse(String where, String rpc, ErrorResponse error) {
    if (!error.getCode().matches("[A-Z][A-Z_]*") || UNCLEAR_CODES.contains(error.getCode())) {
      findings.add(where, rpc, "ErrorResponse " + error.getCode(), clip(error.getMessage()));
    }
    if (error.getMessage().isBlank()) {
      findings.add(where, rpc, "ErrorResponse " + error.getCode() + " without a message");
    }
    checkErrorText(where, rpc, error.getMessage());
  }

  private void checkErrorText(String where, String rpc, String text) {
    if (text != null && text.length() > MAX_ERROR_TEXT) {
      findings.add(
          where,
          rpc,
          "error text over " + MAX_ERROR_TEXT + " characters",
          text.length() + " characters: " + clip(text));
    }
  }

  // ---- one ProverStream

  private void streamOnce(int number, String where) throws Exception {
    RawRpc.Stream stream =
        RawRpc.Stream.open(coordinator.channel(), ZiskDistributedApiGrpc.getProverStreamMethod());
    String proverId = random.nextInt(4) == 0 ? messages.string() : "fuzz-" + number;
    ProverMessage hello = hello(proverId);
    byte[] first =
        random.nextInt(6) == 0 ? mutator.mutate(hello.toByteArray()) : hello.toByteArray();
    boolean firstParses = parses(ProverMessage.getDefaultInstance(), first);
    boolean existedBefore = proverExists(proverId);
    stream.send(first);
    int more = random.nextInt(8);
    boolean allParse = firstParses;
    for (int i = 0; i < more; i++) {
      byte[] next = nextMessage(hello);
      allParse &= parses(ProverMessage.getDefaultInstance(), next);
      stream.send(next);
    }
    stream.halfClose();
    Status end;
    try {
      end = stream.ended().get(15, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      stream.cancel();
      findings.add(where, "ProverStream", "the stream did not end 15 s after the prover closed it");
      return;
    }
    boolean refused = false;
    for (byte[] bytes : stream.received()) {
      CoordinatorMessage message;
      try {
        message = CoordinatorMessage.parseFrom(bytes);
      } catch (InvalidProtocolBufferException e) {
        findings.add(where, "ProverStream", "a message that does not parse");
        continue;
      }
      if (message.hasExecuteTask()) {
        messages.rememberId(message.getExecuteTask().getTaskId());
      }
      if (message.hasRegisterResponse() && !message.getRegisterResponse().getAccepted()) {
        refused = true;
        checkErrorText(where, "ProverStream", message.getRegisterResponse().getMessage());
      }
    }
    if (UNCLEAR.contains(end.getCode())) {
      findings.add(where, "ProverStream", "ended " + end.getCode(), brief(end));
    } else if (!allParse && end.getCode() == Status.Code.OK) {
      findings.add(where, "ProverStream", "a malformed message went unnoticed (ended OK)");
    }
    checkErrorText(where, "ProverStream", end.getDescription());
    if ((refused || !firstParses) && !existedBefore && proverExists(proverId)) {
      findings.add(where, "ProverStream", "a refused registration left a prover row");
    }
  }

  private ProverMessage hello(String proverId) {
    ComputeCapacity units =
        ComputeCapacity.newBuilder().setComputeUnits(1 + random.nextInt(8)).build();
    return switch (random.nextInt(4)) {
      case 0 ->
          ProverMessage.newBuilder()
              .setReconnect(
                  ProverReconnectRequest.newBuilder()
                      .setProverId(proverId)
                      .setComputeCapacity(units)
                      .setLastKnownJobId(messages.string())
                      .setSessionSecret(messages.string()))
              .build();
      case 1 -> messages.of(ProverMessage.getDefaultInstance());
      default ->
          ProverMessage.newBuilder()
              .setRegister(
                  ProverRegisterRequest.newBuilder()
                      .setProverId(proverId)
                      .setComputeCapacity(units))
              .build();
    };
  }

  /** Results for unknown tasks, duplicate registrations, errors, acks, and broken bytes. */
  private byte[] nextMessage(ProverMessage hello) {
    return switch (random.nextInt(7)) {
      case 0 -> hello.toByteArray();
      case 1 -> mutator.mutate(messages.of(ProverMessage.getDefaultInstance()).toByteArray());
      default -> messages.of(ProverMessage.getDefaultInstance()).toByteArray();
    };
  }

  // ---- health afterwards

  /** {@link #assertHealthy()}, its failure one more finding. */
  private void checkHealthy() {
    try {
      assertHealthy();
    } catch (AssertionError | RuntimeException e) {
      findings.add("after the run", "health", "the coordinator is not healthy", e.toString());
    }
  }

  /** HealthCheck SERVING, and a normal launch is admitted onto a prover that registers now. */
  private void assertHealthy() {
    var stub = coordinator.stub();
    assertEquals("SERVING", stub.healthCheck(HealthCheckRequest.getDefaultInstance()).getStatus());
    String jobId = launch(1);
    assertFalse(jobId.isEmpty());
    assertTrue(
        Set.of("QUEUED", "RUNNING")
            .contains(
                stub.jobStatus(JobStatusRequest.newBuilder().setJobId(jobId).build())
                    .getJob()
                    .getState()));
    // Retried: a coordinator that bounds registrations per second may refuse the first tries.
    AtomicReference<RawProver> accepted = new AtomicReference<>();
    await("a new prover to register")
        .atMost(Duration.ofSeconds(45))
        .until(
            () -> {
              RawProver prover = RawProver.open(coordinator.channel(), true);
              try {
                if (prover.register("healthy-prover-after-fuzz", 1_000_000).getAccepted()) {
                  accepted.set(prover);
                  return true;
                }
              } catch (AssertionError refusedWithoutAnAnswer) {
                // the stream ended without a register_response: try again
              }
              prover.close();
              return false;
            });
    try (RawProver prover = accepted.get()) {
      assertFalse(prover.awaitTask().getTaskId().isEmpty(), "a task reaches a new prover");
    }
  }

  // ---- helpers

  private String launch(int capacity) {
    return coordinator
        .stub()
        .launchProof(
            LaunchProofRequest.newBuilder()
                .setBlockId("fuzz-block")
                .setComputeCapacity(capacity)
                .setInputPath("/inputs/fuzz.bin")
                .build())
        .getJobId();
  }

  private boolean proverExists(String proverId) {
    if (proverId.indexOf('\0') >= 0) {
      return false; // PostgreSQL text cannot hold NUL, so no row can have this id
    }
    return coordinator
        .jdbi()
        .withHandle(
            handle ->
                handle
                    .createQuery("SELECT count(*) > 0 FROM provers WHERE prover_id = :id")
                    .bind("id", proverId)
                    .mapTo(Boolean.class)
                    .one());
  }

  private static boolean parses(Message prototype, byte[] bytes) {
    try {
      prototype.getParserForType().parseFrom(bytes);
      return true;
    } catch (InvalidProtocolBufferException e) {
      return false;
    }
  }

  private static ErrorResponse errorOf(Message response) {
    FieldDescriptor error = response.getDescriptorForType().findFieldByName("error");
    if (error == null || !response.hasField(error)) {
      return null;
    }
    return (ErrorResponse) response.getField(error);
  }

  /** The number of a string field of the method's request, or 1 when it has none. */
  private int stringFieldOf(MethodDescriptor<?, ?> method) {
    List<FieldDescriptor> strings =
        RawRpc.requestPrototype(method).getDescriptorForType().getFields().stream()
            .filter(field -> field.getJavaType() == FieldDescriptor.JavaType.STRING)
            .toList();
    return strings.isEmpty() ? 1 : strings.get(random.nextInt(strings.size())).getNumber();
  }

  private byte[] truncated(byte[] valid) {
    if (valid.length < 2) {
      return mutator.randomBytes();
    }
    byte[] cut = new byte[1 + random.nextInt(valid.length - 1)];
    System.arraycopy(valid, 0, cut, 0, cut.length);
    return cut;
  }

  private static boolean hangsUp(InputStream in) throws IOException {
    byte[] buffer = new byte[8192];
    try {
      while (in.read(buffer) >= 0) {
        // drain what the server says (a GOAWAY, perhaps) until it closes
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException e) {
      return true;
    }
  }

  private static String brief(Status status) {
    return status.getCode() + " " + clip(String.valueOf(status.getDescription()));
  }

  private static String clip(String text) {
    return text.length() <= 120 ? text : text.substring(0, 120) + "… (" + text.length() + " chars)";
  }

  /** Every finding of a test, grouped by RPC and kind, reported together at the end. */
  private static final class Findings {
    private final List<String> all = new ArrayList<>();
    private final Map<String, Integer> byKind = new TreeMap<>();

    void add(String where, String rpc, String what) {
      add(where, rpc, what, "");
    }

    /** {@code what} names the kind of finding; {@code detail} is this case's particulars. */
    void add(String where, String rpc, String what, String detail) {
      byKind.merge(rpc + ": " + clip(what), 1, Integer::sum);
      if (all.size() < 20) {
        all.add(where + ": " + rpc + ": " + what + (detail.isEmpty() ? "" : ": " + detail));
      }
    }

    void assertNone() {
      assertTrue(
          byKind.isEmpty(),
          () ->
              byKind.values().stream().mapToInt(Integer::intValue).sum()
                  + " findings\nby kind:\n  "
                  + String.join(
                      "\n  ",
                      byKind.entrySet().stream()
                          .map(e -> e.getValue() + " × " + e.getKey())
                          .toList())
                  + "\nfirst ones:\n  "
                  + String.join("\n  ", all));
    }
  }
}
