package zisk.distributed.coordinator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import zisk.distributed.api.v1.CancelJobRequest;
import zisk.distributed.api.v1.CancelJobResponse;
import zisk.distributed.api.v1.ExecuteTaskRequest;
import zisk.distributed.api.v1.ExecuteTaskResponse;
import zisk.distributed.api.v1.JobStatus;
import zisk.distributed.api.v1.JobStatusRequest;
import zisk.distributed.api.v1.JobStatusResponse;
import zisk.distributed.api.v1.LaunchProofRequest;
import zisk.distributed.api.v1.LaunchProofResponse;
import zisk.distributed.api.v1.ProverError;
import zisk.distributed.api.v1.ProverMessage;
import zisk.distributed.api.v1.ZiskDistributedApiGrpc.ZiskDistributedApiBlockingStub;
import zisk.distributed.common.rules.SafeText;
import zisk.distributed.coordinator.config.CoordinatorConfig;
import zisk.distributed.coordinator.testing.RawProver;
import zisk.distributed.coordinator.testing.RunningCoordinator;
import zisk.distributed.coordinator.testing.TestDatabase;

/**
 * Text from clients and provers that PostgreSQL or a log cannot take (NUL, megabytes) is refused or
 * stored cleaned and bounded, and never wedges a stream.
 */
class HostileTextTest {

  /** A NUL, then a megabyte: what a prover echoing a hostile file's first line could send. */
  private static final String HOSTILE = "first line \0 of a file " + "x".repeat(1 << 20);

  private static String jdbcUrl;
  private RunningCoordinator coordinator;
  private ZiskDistributedApiBlockingStub api;

  @BeforeAll
  static void createDatabase() {
    jdbcUrl = TestDatabase.freshJdbcUrl();
  }

  @BeforeEach
  void startCoordinator() {
    coordinator = RunningCoordinator.inProcess(CoordinatorConfig.local(jdbcUrl));
    coordinator
        .jdbi()
        .useHandle(h -> h.execute("TRUNCATE job_events, tasks, jobs, provers CASCADE"));
    api = coordinator.stub();
  }

  @AfterEach
  void stopCoordinator() {
    coordinator.close();
  }

  @Test
  void aTaskErrorWithNulAndAMegabyteIsStoredCleanedAndBoundedAndTheJobFailsNormally() {
    try (RawProver prover = RawProver.open(coordinator.channel(), true)) {
      assertTrue(prover.register("hostile", 1).getAccepted());
      String jobId = launch("block-1");

      // Every attempt fails the same way; each report must be recorded, not end the stream.
      for (int attempt = 1; attempt <= CoordinatorConfig.DEFAULT_MAX_ATTEMPTS; attempt++) {
        ExecuteTaskRequest task = prover.awaitTask();
        prover.sendResult(failure(task, HOSTILE));
      }

      JobStatus job = awaitEnded(jobId);
      assertEquals("FAILED", job.getState());
      assertCleanAndBounded(job.getError().getMessage());
      assertTrue(job.getError().getMessage().contains("first line \uFFFD of a file xxx"));
      List<String> stored = storedTexts(jobId);
      assertTrue(stored.size() >= CoordinatorConfig.DEFAULT_MAX_ATTEMPTS, stored.toString());
      stored.forEach(HostileTextTest::assertCleanAndBounded);
      assertFalse(prover.hasEnded(), "the stream stays open: no reconnect loop");
    }
  }

  @Test
  void aProverErrorWithNulAndAMegabyteIsStoredCleanedAndBounded() {
    try (RawProver prover = RawProver.open(coordinator.channel(), true)) {
      assertTrue(prover.register("hostile", 1).getAccepted());
      String jobId = launch("block-2");

      for (int attempt = 1; attempt <= CoordinatorConfig.DEFAULT_MAX_ATTEMPTS; attempt++) {
        ExecuteTaskRequest task = prover.awaitTask();
        prover.send(
            ProverMessage.newBuilder()
                .setError(
                    ProverError.newBuilder()
                        .setProverId("hostile")
                        .setJobId(task.getJobId())
                        .setTaskId(task.getTaskId())
                        .setErrorMessage(HOSTILE))
                .build());
      }

      JobStatus job = awaitEnded(jobId);
      assertEquals("FAILED", job.getState());
      assertCleanAndBounded(job.getError().getMessage());
      assertFalse(prover.hasEnded(), "the stream stays open: no reconnect loop");
    }
  }

  @Test
  void forgedIdsWithNulAndMegabytesChangeNothingAndKeepTheStreamOpen() {
    try (RawProver prover = RawProver.open(coordinator.channel(), true)) {
      assertTrue(prover.register("hostile", 1).getAccepted());
      String jobId = launch("block-3");
      ExecuteTaskRequest task = prover.awaitTask();

      prover.sendResult(
          failure(task, "forged").toBuilder().setTaskId(HOSTILE).setJobId(HOSTILE).build());
      prover.sendResult(RawProver.success(task, "hostile"));

      // The forged report was ignored; the real one moved the job on.
      await(() -> "PROVE".equals(status(jobId).getPhase()));
      assertFalse(prover.hasEnded());
    }
  }

  @Test
  void aBlockIdWithNulIsRefusedAndNoJobIsCreated() {
    for (String blockId : List.of("block\0one", "block\u202Eeno", "block\u2028two")) {
      LaunchProofResponse response =
          api.launchProof(
              LaunchProofRequest.newBuilder()
                  .setBlockId(blockId)
                  .setComputeCapacity(1)
                  .setInputPath("/in")
                  .build());

      assertEquals("INVALID_ARGUMENT", response.getError().getCode(), blockId);
      assertTrue(response.getError().getMessage().startsWith("block_id contains control"));
    }
    assertEquals(0, count("SELECT count(*) FROM jobs"));
  }

  @Test
  void aCancelReasonWithNulIsRefusedAndTheJobStaysQueued() {
    String jobId = launch("block-4");

    CancelJobResponse response =
        api.cancelJob(CancelJobRequest.newBuilder().setJobId(jobId).setReason("why\0").build());

    assertEquals("INVALID_ARGUMENT", response.getError().getCode());
    assertEquals("QUEUED", status(jobId).getState());
  }

  @Test
  void aThreeMegabyteJobIdIsNeverEchoedWhole() {
    String huge = "j".repeat(3 << 20);

    JobStatusResponse response =
        api.jobStatus(JobStatusRequest.newBuilder().setJobId(huge).build());

    String message = response.getError().getMessage();
    assertTrue(message.length() < 200, "message of " + message.length() + " characters");
    assertTrue(message.contains("…(3145728 chars)"), message);
  }

  private String launch(String blockId) {
    LaunchProofResponse response =
        api.launchProof(
            LaunchProofRequest.newBuilder()
                .setBlockId(blockId)
                .setComputeCapacity(1)
                .setInputPath("/in")
                .build());
    assertFalse(response.hasError(), response.getError().getMessage());
    return response.getJobId();
  }

  private static ExecuteTaskResponse failure(ExecuteTaskRequest task, String message) {
    return ExecuteTaskResponse.newBuilder()
        .setJobId(task.getJobId())
        .setTaskId(task.getTaskId())
        .setProverId("hostile")
        .setTaskType(task.getTaskType())
        .setSuccess(false)
        .setErrorMessage(message)
        .build();
  }

  private JobStatus status(String jobId) {
    return api.jobStatus(JobStatusRequest.newBuilder().setJobId(jobId).build()).getJob();
  }

  private JobStatus awaitEnded(String jobId) {
    await(() -> !List.of("QUEUED", "RUNNING").contains(status(jobId).getState()));
    return status(jobId);
  }

  private static void await(java.util.concurrent.Callable<Boolean> condition) {
    org.awaitility.Awaitility.await().atMost(RawProver.WAIT).until(condition);
  }

  /** Every event detail and task error stored for the job. */
  private List<String> storedTexts(String jobId) {
    return coordinator
        .jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        """
                        SELECT detail FROM job_events WHERE job_id = :jobId::uuid AND detail IS NOT NULL
                        UNION ALL
                        SELECT error_message FROM tasks
                        WHERE job_id = :jobId::uuid AND error_message IS NOT NULL
                        """)
                    .bind("jobId", jobId)
                    .mapTo(String.class)
                    .list());
  }

  private long count(String sql) {
    return coordinator.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
  }

  private static void assertCleanAndBounded(String text) {
    assertEquals(-1, text.indexOf('\0'), "no NUL");
    assertTrue(SafeText.isClean(text), "clean");
    assertTrue(text.length() < SafeText.MAX_ERROR_MESSAGE + 300, "length " + text.length());
  }
}
