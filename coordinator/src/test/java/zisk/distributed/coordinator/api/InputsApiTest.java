package zisk.distributed.coordinator.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import zisk.distributed.api.v1.ExecuteTaskRequest;
import zisk.distributed.api.v1.GetInputRequest;
import zisk.distributed.api.v1.GetInputResponse;
import zisk.distributed.api.v1.JobStatus;
import zisk.distributed.api.v1.JobStatusRequest;
import zisk.distributed.api.v1.LaunchProofRequest;
import zisk.distributed.api.v1.LaunchProofResponse;
import zisk.distributed.api.v1.UploadInputRequest;
import zisk.distributed.api.v1.UploadInputResponse;
import zisk.distributed.api.v1.ZiskDistributedApiGrpc;
import zisk.distributed.api.v1.ZiskDistributedApiGrpc.ZiskDistributedApiBlockingStub;
import zisk.distributed.coordinator.config.CoordinatorConfig;
import zisk.distributed.coordinator.config.InputStorage;
import zisk.distributed.coordinator.config.ProofVerification;
import zisk.distributed.coordinator.scheduling.InputRetention;
import zisk.distributed.coordinator.store.Store;
import zisk.distributed.coordinator.testing.RawProver;
import zisk.distributed.coordinator.testing.RunningCoordinator;
import zisk.distributed.coordinator.testing.TestDatabase;

/** UploadInput, GetInput, LaunchProof with input_id and the retention chore, on PostgreSQL. */
class InputsApiTest {

  private static final long MAX_SIZE = 100_000;

  private static String jdbcUrl;
  private RunningCoordinator coordinator;
  private ZiskDistributedApiBlockingStub api;

  @BeforeAll
  static void createDatabase() {
    jdbcUrl = TestDatabase.freshJdbcUrl();
  }

  @BeforeEach
  void startCoordinator() {
    CoordinatorConfig local = CoordinatorConfig.local(jdbcUrl);
    CoordinatorConfig.Limits d = local.limits();
    CoordinatorConfig config =
        local
            .withLimits(d.withInputs(new InputStorage(MAX_SIZE, Duration.ofHours(1))))
            .withProofVerification(
                ProofVerification.DEFAULT.withVerifier(ProofVerification.Verifier.NONE));
    coordinator = RunningCoordinator.inProcess(config);
    coordinator
        .jdbi()
        .useHandle(
            h -> h.execute("TRUNCATE job_events, tasks, jobs, provers, input_uploads CASCADE"));
    api = coordinator.stub();
  }

  @AfterEach
  void stopCoordinator() {
    coordinator.close();
  }

  @Test
  void anUploadIsStoredUnderItsSha256AndTheSameBytesAreNotStoredTwice() {
    byte[] bytes = bytes(50_000, 1);

    UploadInputResponse first = upload(bytes, sha256(bytes), bytes.length, 16_384);
    UploadInputResponse again = upload(bytes, "", 0, 7_000);
    UploadInputResponse announced = uploadFirstMessageOnly(sha256(bytes));

    assertEquals(sha256(bytes), first.getInput().getInputId(), first.toString());
    assertEquals(bytes.length, first.getInput().getSizeBytes());
    assertFalse(first.getInput().getAlreadyStored());
    assertTrue(again.getInput().getAlreadyStored(), again.toString());
    assertTrue(announced.getInput().getAlreadyStored(), announced.toString());
    assertEquals(bytes.length, announced.getInput().getSizeBytes());
    assertEquals(1, count("SELECT count(*) FROM inputs"));
    assertEquals(1, count("SELECT count(*) FROM input_uploads"), "the duplicates' chunks are gone");
    assertArrayEquals(bytes, download(sha256(bytes)));
  }

  @Test
  void concurrentUploadsOfTheSameBytesAllSucceedAndStoreOneInput() throws Exception {
    byte[] bytes = bytes(30_000, 2);
    List<CompletableFuture<UploadInputResponse>> uploads = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      uploads.add(CompletableFuture.supplyAsync(() -> upload(bytes, "", 0, 4_096)));
    }

    for (CompletableFuture<UploadInputResponse> upload : uploads) {
      assertEquals(sha256(bytes), upload.get(30, TimeUnit.SECONDS).getInput().getInputId());
    }
    assertEquals(1, count("SELECT count(*) FROM inputs"));
    assertEquals(1, count("SELECT count(*) FROM input_uploads"));
  }

  @Test
  void aHashMismatchIsRefusedAndNothingIsStored() {
    byte[] bytes = bytes(20_000, 3);

    UploadInputResponse response = upload(bytes, sha256(bytes(10, 4)), 0, 8_192);

    assertEquals("INVALID_ARGUMENT", response.getError().getCode(), response.toString());
    assertTrue(response.getError().getMessage().contains("SHA-256"), response.toString());
    assertEquals(0, count("SELECT count(*) FROM inputs"));
    assertEquals(0, count("SELECT count(*) FROM input_chunks"));
  }

  @Test
  void tooLargeInputsAreRefusedEarlyAndMidStreamAndEmptyOnesToo() {
    UploadInputResponse early = uploadFirstMessageOnly("", MAX_SIZE + 1);
    UploadInputResponse midStream = upload(bytes((int) MAX_SIZE + 10, 5), "", 0, 30_000);
    UploadInputResponse empty = upload(new byte[0], "", 0, 1);

    assertEquals("INVALID_ARGUMENT", early.getError().getCode(), early.toString());
    assertTrue(early.getError().getMessage().contains("inputs.max_size_bytes"), early.toString());
    assertEquals("INVALID_ARGUMENT", midStream.getError().getCode(), midStream.toString());
    assertTrue(midStream.getError().getMessage().contains("inputs.max_size_bytes"));
    assertEquals("INVALID_ARGUMENT", empty.getError().getCode(), empty.toString());
    assertTrue(empty.getError().getMessage().contains("empty"), empty.toString());
    assertEquals(0, count("SELECT count(*) FROM input_uploads"), "nothing is left behind");
  }

  @Test
  void getInputOfAnUnknownIdAnswersInputNotFound() {
    Iterator<GetInputResponse> answer =
        api.getInput(GetInputRequest.newBuilder().setInputId(sha256(bytes(5, 6))).build());

    GetInputResponse only = answer.next();
    assertEquals("INPUT_NOT_FOUND", only.getError().getCode(), only.toString());
    assertFalse(answer.hasNext());
  }

  @Test
  void launchProofTakesExactlyOneOfInputPathAndAKnownInputId() {
    byte[] bytes = bytes(1_000, 7);
    String inputId = upload(bytes, "", 0, 1_000).getInput().getInputId();

    LaunchProofResponse withId = api.launchProof(launch().setInputId(inputId).build());
    LaunchProofResponse both =
        api.launchProof(launch().setInputId(inputId).setInputPath("/in").build());
    LaunchProofResponse neither = api.launchProof(launch().build());
    LaunchProofResponse unknown = api.launchProof(launch().setInputId(sha256(bytes(9, 8))).build());

    assertTrue(withId.hasJobId(), withId.toString());
    JobStatus job =
        api.jobStatus(JobStatusRequest.newBuilder().setJobId(withId.getJobId()).build()).getJob();
    assertEquals(inputId, job.getInputId());
    assertEquals("", job.getInputPath());
    assertEquals("INVALID_ARGUMENT", both.getError().getCode());
    assertEquals("INVALID_ARGUMENT", neither.getError().getCode());
    assertEquals("INVALID_ARGUMENT", unknown.getError().getCode());
    assertTrue(unknown.getError().getMessage().startsWith("unknown input_id"), unknown.toString());
    assertEquals(1, count("SELECT count(*) FROM jobs"), "only the valid launch created a job");
  }

  @Test
  void theContributionTaskCarriesTheInputIdAndTheProverCanDownloadIt() {
    byte[] bytes = bytes(70_000, 9);
    String inputId = upload(bytes, "", 0, 20_000).getInput().getInputId();
    try (RawProver prover = RawProver.open(coordinator.channel(), true)) {
      prover.register("p1", 1);
      api.launchProof(launch().setInputId(inputId).build());

      ExecuteTaskRequest task = prover.awaitTask();

      assertEquals(inputId, task.getContributionParams().getInputId());
      assertEquals("", task.getContributionParams().getInputPath());
      assertArrayEquals(bytes, download(inputId));
    }
  }

  @Test
  void retentionDeletesOnlyInputsNoUnfinishedJobNeeds() {
    String kept = upload(bytes(100, 10), "", 0, 100).getInput().getInputId();
    String finished = upload(bytes(100, 11), "", 0, 100).getInput().getInputId();
    String unused = upload(bytes(100, 12), "", 0, 100).getInput().getInputId();
    String recent = upload(bytes(100, 13), "", 0, 100).getInput().getInputId();
    String queued = api.launchProof(launch().setInputId(kept).build()).getJobId();
    String done = api.launchProof(launch().setInputId(finished).build()).getJobId();
    coordinator
        .jdbi()
        .useHandle(
            h -> {
              h.execute(
                  "UPDATE jobs SET state = 'FAILED', finished_at = now() WHERE job_id = ?::uuid",
                  done);
              h.execute(
                  "UPDATE inputs SET last_used_at = now() - interval '2 hours' WHERE input_id <> ?",
                  recent);
              h.execute("UPDATE input_uploads SET updated_at = now() - interval '2 hours'");
            });

    int deleted = new InputRetention(new Store(dataSource()), Duration.ofHours(1)).expire();

    assertEquals(2, deleted);
    assertEquals(
        List.of(kept, recent).stream().sorted().toList(),
        coordinator
            .jdbi()
            .withHandle(
                h ->
                    h.createQuery("SELECT input_id FROM inputs ORDER BY input_id")
                        .mapTo(String.class)
                        .list()));
    assertEquals(2, count("SELECT count(*) FROM input_uploads"), "the deleted inputs' chunks went");
    assertTrue(queued.length() > 0);
    assertEquals(unused.length(), finished.length());
  }

  // ---- helpers

  private javax.sql.DataSource dataSource() {
    org.postgresql.ds.PGSimpleDataSource source = new org.postgresql.ds.PGSimpleDataSource();
    source.setURL(jdbcUrl);
    return source;
  }

  private static LaunchProofRequest.Builder launch() {
    return LaunchProofRequest.newBuilder().setBlockId("block").setComputeCapacity(1);
  }

  private UploadInputResponse upload(byte[] bytes, String sha, long size, int chunkSize) {
    CompletableFuture<UploadInputResponse> answer = new CompletableFuture<>();
    StreamObserver<UploadInputRequest> requests =
        ZiskDistributedApiGrpc.newStub(coordinator.channel()).uploadInput(collect(answer));
    for (int offset = 0; offset == 0 || offset < bytes.length; offset += chunkSize) {
      UploadInputRequest.Builder message =
          UploadInputRequest.newBuilder()
              .setChunk(
                  ByteString.copyFrom(
                      bytes, offset, Math.max(0, Math.min(chunkSize, bytes.length - offset))));
      if (offset == 0) {
        message.setSha256(sha).setSizeBytes(size);
      }
      requests.onNext(message.build());
      if (answer.isDone()) {
        break;
      }
    }
    requests.onCompleted();
    return answer.orTimeout(30, TimeUnit.SECONDS).join();
  }

  private UploadInputResponse uploadFirstMessageOnly(String sha) {
    return uploadFirstMessageOnly(sha, 0);
  }

  /** Sends only the first message and waits for the answer, without half-closing. */
  private UploadInputResponse uploadFirstMessageOnly(String sha, long size) {
    CompletableFuture<UploadInputResponse> answer = new CompletableFuture<>();
    StreamObserver<UploadInputRequest> requests =
        ZiskDistributedApiGrpc.newStub(coordinator.channel()).uploadInput(collect(answer));
    requests.onNext(UploadInputRequest.newBuilder().setSha256(sha).setSizeBytes(size).build());
    UploadInputResponse response = answer.orTimeout(30, TimeUnit.SECONDS).join();
    requests.onCompleted();
    return response;
  }

  private static StreamObserver<UploadInputResponse> collect(
      CompletableFuture<UploadInputResponse> answer) {
    return new StreamObserver<>() {
      @Override
      public void onNext(UploadInputResponse value) {
        answer.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        answer.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {}
    };
  }

  private byte[] download(String inputId) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Iterator<GetInputResponse> chunks =
        api.getInput(GetInputRequest.newBuilder().setInputId(inputId).build());
    long size = -1;
    while (chunks.hasNext()) {
      GetInputResponse chunk = chunks.next();
      assertFalse(chunk.hasError(), chunk.toString());
      if (size < 0) {
        size = chunk.getSizeBytes();
      }
      out.writeBytes(chunk.getChunk().toByteArray());
    }
    assertEquals(size, out.size());
    return out.toByteArray();
  }

  private long count(String sql) {
    return coordinator.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
  }

  private static byte[] bytes(int length, long seed) {
    byte[] bytes = new byte[length];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
