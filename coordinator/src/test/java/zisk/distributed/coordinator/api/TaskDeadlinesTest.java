package zisk.distributed.coordinator.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import zisk.distributed.api.v1.ExecuteTaskRequest;
import zisk.distributed.api.v1.LaunchProofRequest;
import zisk.distributed.api.v1.LaunchProofResponse;
import zisk.distributed.api.v1.ProofList;
import zisk.distributed.api.v1.TaskType;
import zisk.distributed.coordinator.config.CoordinatorConfig;
import zisk.distributed.coordinator.config.ProofVerification;
import zisk.distributed.coordinator.config.ProofVerification.Verifier;
import zisk.distributed.coordinator.session.IgnoredMessages;
import zisk.distributed.coordinator.testing.LogCapture;
import zisk.distributed.coordinator.testing.RawProver;
import zisk.distributed.coordinator.testing.RunningCoordinator;
import zisk.distributed.coordinator.testing.TestDatabase;

/**
 * Task deadlines and seed-era workers end to end: a real coordinator over the in-process transport,
 * a real PostgreSQL, raw provers that send exactly what the test says.
 */
class TaskDeadlinesTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @Test
  void aProverThatHeartbeatsButNeverAnswersTimesOutAndTheJobCompletesOnAnother() {
    try (RunningCoordinator coordinator = coordinator();
        RawProver hung = RawProver.open(coordinator.channel(), true)) {
      // given: a job whose contribution may run 2 s, on a prover that acknowledges heartbeats
      // and never answers its task
      assertTrue(hung.register("hung", 1).getAccepted());
      String jobId =
          launch(coordinator, launch().setPartialContributionTimeoutSeconds(2)).getJobId();
      ExecuteTaskRequest stuck = hung.awaitTask();

      try (RawProver spare = RawProver.open(coordinator.channel(), true)) {
        // a spare with more units, which admission prefers for the retry
        assertTrue(spare.register("spare", 2).getAccepted());

        // then: the hung prover is told to drop exactly that task
        hung.await(
            "job_cancelled naming the task",
            message ->
                message.hasJobCancelled()
                    && message.getJobCancelled().getTaskId().equals(stuck.getTaskId())
                    && message.getJobCancelled().getReason().contains("time limit of 2 s"));
        // and: the job completes on the spare
        runToCompletion(spare);
        awaitJobState(coordinator, jobId, "COMPLETED");
      }

      // and: the task is TIMED_OUT, no sooner than its limit, counted apart
      assertEquals(
          "TIMED_OUT",
          one(coordinator, "SELECT state FROM tasks WHERE task_id = ?::uuid", stuck.getTaskId()));
      String lasted =
          one(
              coordinator,
              "SELECT (finished_at - dispatched_at >= interval '2 seconds')::text FROM tasks WHERE task_id = ?::uuid",
              stuck.getTaskId());
      assertEquals("true", lasted, "timed out only after its limit");
      assertEquals(
          "1 0 0 0",
          one(
              coordinator,
              "SELECT timeouts || ' ' || task_failures || ' ' || infra_failures || ' ' || invalid_proofs FROM job_history WHERE job_id = ?::uuid",
              jobId));
      assertEquals(
          "TASK_TIMED_OUT",
          one(
              coordinator,
              "SELECT event FROM job_events WHERE job_id = ?::uuid AND task_id = ?::uuid ORDER BY event_id DESC LIMIT 1",
              jobId,
              stuck.getTaskId()));
    }
  }

  @Test
  void aJobTimeoutAboveTheCoordinatorsIsRefusedAndOneAtItIsStored() {
    try (RunningCoordinator coordinator = coordinator()) {
      LaunchProofResponse refused = launch(coordinator, launch().setProveTimeoutSeconds(3601));

      assertEquals("INVALID_ARGUMENT", refused.getError().getCode());
      assertTrue(
          refused
              .getError()
              .getMessage()
              .contains("prove_timeout_seconds 3601 is above this coordinator's limit of 3600 s"),
          refused.getError().getMessage());
      assertEquals("0", one(coordinator, "SELECT count(*)::text FROM jobs"));

      String jobId =
          launch(coordinator, launch().setProveTimeoutSeconds(3600).setAggregateTimeoutSeconds(5))
              .getJobId();
      assertEquals(
          "null 3600 5",
          one(
              coordinator,
              "SELECT coalesce(partial_contribution_timeout_seconds::text, 'null') || ' ' || prove_timeout_seconds || ' ' || aggregate_timeout_seconds FROM job_overview WHERE job_id = ?::uuid",
              jobId));
    }
  }

  @Test
  void aSeedEraProverWhoseResultsCarryNoTaskIdCompletesAJob() {
    try (RunningCoordinator coordinator = coordinator();
        RawProver seed = RawProver.open(coordinator.channel(), true)) {
      assertTrue(seed.register("seed", 1).getAccepted());
      String jobId = launch(coordinator, launch()).getJobId();

      for (TaskType phase :
          List.of(TaskType.PARTIAL_CONTRIBUTION, TaskType.PROVE, TaskType.AGGREGATE)) {
        ExecuteTaskRequest task = seed.awaitTask();
        assertEquals(phase, task.getTaskType());
        seed.sendResult(RawProver.success(task, "seed").toBuilder().clearTaskId().build());
      }

      awaitJobState(coordinator, jobId, "COMPLETED");
      // Its answers answered its tasks: it was never told to drop one.
      assertFalse(
          seed.receivedSoFar().stream().anyMatch(message -> message.hasJobCancelled()),
          seed.receivedSoFar().toString());
    }
  }

  @Test
  void aSeedEraResultAboutAnotherPhaseIsIgnoredAndTheRunningTaskStillCounts() {
    try (RunningCoordinator coordinator = coordinator();
        LogCapture logs = LogCapture.of(IgnoredMessages.class);
        RawProver seed = RawProver.open(coordinator.channel(), true)) {
      assertTrue(seed.register("seed", 1).getAccepted());
      launch(coordinator, launch());
      ExecuteTaskRequest contribution = seed.awaitTask();

      // when: while the contribution runs, a PROVE result that names no task, then the
      // contribution's own result, which names none either
      seed.sendResult(
          RawProver.success(contribution, "seed").toBuilder()
              .clearTaskId()
              .setTaskType(TaskType.PROVE)
              .setProofs(ProofList.getDefaultInstance())
              .build());
      seed.sendResult(RawProver.success(contribution, "seed").toBuilder().clearTaskId().build());

      // then: the first is ignored with its reason; the second moves the job to PROVE, and the
      // contribution was never given up on (no JobCancelled for it)
      assertEquals(TaskType.PROVE, seed.awaitTask().getTaskType());
      await()
          .atMost(WAIT)
          .until(() -> logs.lines().stream().anyMatch(line -> line.startsWith("WARN ")));
      List<String> warns = logs.lines().stream().filter(line -> line.startsWith("WARN ")).toList();
      assertEquals(1, warns.size(), warns.toString());
      assertTrue(warns.get(0).contains("no running PROVE task"), warns.get(0));
      assertFalse(
          seed.receivedSoFar().stream().anyMatch(message -> message.hasJobCancelled()),
          seed.receivedSoFar().toString());
    }
  }

  @Test
  void eachIgnoredMessageIsLoggedOnceAtWarnWithItsReason() {
    try (RunningCoordinator coordinator = coordinator();
        LogCapture logs = LogCapture.of(IgnoredMessages.class);
        RawProver prover = RawProver.open(coordinator.channel(), true)) {
      assertTrue(prover.register("prover", 1).getAccepted());
      launch(coordinator, launch());
      ExecuteTaskRequest contribution = prover.awaitTask();
      prover.sendResult(RawProver.success(contribution, "prover"));
      ExecuteTaskRequest prove = prover.awaitTask();

      // when: a duplicate, a forged task id, then the real PROVE result
      prover.sendResult(RawProver.success(contribution, "prover"));
      String forged = "x".repeat(2000);
      prover.sendResult(RawProver.success(prove, "prover").toBuilder().setTaskId(forged).build());
      prover.sendResult(RawProver.success(prove, "prover"));

      // then: once the next task is out, both were judged (the prover's reports keep their order)
      assertEquals(TaskType.AGGREGATE, prover.awaitTask().getTaskType());
      await()
          .atMost(WAIT)
          .until(() -> logs.lines().stream().filter(line -> line.startsWith("WARN ")).count() >= 2);
      List<String> warns = logs.lines().stream().filter(line -> line.startsWith("WARN ")).toList();
      assertEquals(2, warns.size(), warns.toString());
      assertTrue(warns.get(0).contains("is already SUCCEEDED"), warns.get(0));
      assertTrue(warns.get(0).contains("Prover prover: result ignored"), warns.get(0));
      assertTrue(warns.get(1).contains("is not a UUID"), warns.get(1));
      assertTrue(warns.get(1).length() < 400, "the forged id is not echoed whole");
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private static RunningCoordinator coordinator() {
    return RunningCoordinator.inProcess(
        CoordinatorConfig.local(TestDatabase.freshJdbcUrl())
            .withProofVerification(ProofVerification.DEFAULT.withVerifier(Verifier.NONE)));
  }

  private static LaunchProofRequest.Builder launch() {
    return LaunchProofRequest.newBuilder()
        .setBlockId("block")
        .setComputeCapacity(1)
        .setInputPath("/in");
  }

  private static LaunchProofResponse launch(
      RunningCoordinator coordinator, LaunchProofRequest.Builder request) {
    return coordinator.stub().launchProof(request.build());
  }

  /** Answers every task with made-up results until the final proof is sent. */
  private static void runToCompletion(RawProver prover) {
    while (true) {
      ExecuteTaskRequest task = prover.awaitTask();
      prover.sendResult(RawProver.success(task, task.getProverId()));
      if (task.getTaskType() == TaskType.AGGREGATE) {
        return;
      }
    }
  }

  private static void awaitJobState(RunningCoordinator coordinator, String jobId, String state) {
    await()
        .atMost(WAIT)
        .until(
            () -> one(coordinator, "SELECT state FROM jobs WHERE job_id = ?::uuid", jobId),
            state::equals);
  }

  private static String one(RunningCoordinator coordinator, String sql, Object... args) {
    return coordinator
        .jdbi()
        .withHandle(
            handle -> {
              var query = handle.createQuery(sql);
              for (int i = 0; i < args.length; i++) {
                query.bind(i, args[i]);
              }
              return query.mapTo(String.class).one();
            });
  }
}
