package zisk.distributed.coordinator.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import zisk.distributed.api.v1.CoordinatorMessage;
import zisk.distributed.api.v1.ExecuteTaskRequest;
import zisk.distributed.api.v1.ExecuteTaskResponse;
import zisk.distributed.api.v1.JobStatus;
import zisk.distributed.api.v1.JobStatusRequest;
import zisk.distributed.api.v1.LaunchProofRequest;
import zisk.distributed.api.v1.ProverInfo;
import zisk.distributed.api.v1.ProversListRequest;
import zisk.distributed.coordinator.config.CoordinatorConfig;
import zisk.distributed.coordinator.testing.RawProver;
import zisk.distributed.coordinator.testing.RunningCoordinator;
import zisk.distributed.coordinator.testing.TestDatabase;

/** Quarantine and busy answers over gRPC: raw provers, a real coordinator, a real PostgreSQL. */
class QuarantineAndBusyTest {

  private static final Duration WAIT = Duration.ofSeconds(15);

  @Test
  void aProverThatFailsEverythingIsNotGivenJobAfterJob() {
    try (RunningCoordinator coordinator =
            RunningCoordinator.inProcess(CoordinatorConfig.local(TestDatabase.freshJdbcUrl()));
        RawProver bad = RawProver.open(coordinator.channel(), true)) {
      // given: the only prover fails every task it gets
      bad.register("bad", 1);
      for (int i = 0; i < 3; i++) {
        launch(coordinator);
        ExecuteTaskRequest task = bad.awaitTask();
        bad.sendResult(failure(task, "out of memory"));
      }

      // then: after three in a row it is quarantined, and ProversList says why and until when
      ProverInfo info =
          await("the prover to be quarantined")
              .atMost(WAIT)
              .until(() -> prover(coordinator, "bad"), ProverInfo::hasQuarantinedUntil);
      assertTrue(
          info.getQuarantineReason().startsWith("task failed (3 fault(s) in a row)"),
          info.getQuarantineReason());
      assertEquals(info.getQuarantinedUntil(), info.getHeldUntil());
      assertEquals(3, info.getFailureStreak());
      assertEquals(1, info.getQuarantineCount());
      assertTrue(
          coordinator
              .stub()
              .proversList(ProversListRequest.newBuilder().setAvailableOnly(true).build())
              .getProversList()
              .getProversList()
              .isEmpty(),
          "a quarantined prover is not available");

      // when: a healthy prover joins ("bad" sorts first, so only quarantine keeps work from it)
      try (RawProver good = RawProver.open(coordinator.channel(), true)) {
        good.register("good", 1);
        ExecuteTaskRequest next = good.awaitTask();
        assertEquals("good", next.getProverId());
      }
      long tasksToBad =
          bad.receivedSoFar().stream().filter(CoordinatorMessage::hasExecuteTask).count();
      assertEquals(3, tasksToBad, "the failing prover got no fourth task");
    }
  }

  @Test
  void aBusyAnswerLeavesTheAttemptsAloneAndTheTaskIsSentAgain() {
    try (RunningCoordinator coordinator =
            RunningCoordinator.inProcess(CoordinatorConfig.local(TestDatabase.freshJdbcUrl()));
        RawProver prover = RawProver.open(coordinator.channel(), true)) {
      prover.register("p1", 1);
      String jobId = launch(coordinator);
      ExecuteTaskRequest task = prover.awaitTask();

      // when: it refuses as busy, first with the field, then as a worker that predates it would
      prover.sendResult(
          failure(task, "still on my previous task").toBuilder().setBusy(true).build());
      ExecuteTaskRequest again = prover.awaitTask();
      assertEquals(task.getTaskId(), again.getTaskId(), "the same task goes out again");
      prover.sendResult(failure(again, "prover busy with task t0 of job j0"));
      ExecuteTaskRequest third = prover.awaitTask();
      assertEquals(task.getTaskId(), third.getTaskId());

      // then: the job is still in its first attempt, with no failure counted
      JobStatus status = status(coordinator, jobId);
      assertEquals("RUNNING", status.getState());
      assertEquals(1, status.getAttempt());
      assertFalse(status.hasError(), status.getError().getMessage());
      ProverInfo info = prover(coordinator, "p1");
      assertEquals(0, info.getFailureStreak());
      assertFalse(info.hasQuarantinedUntil());

      // and: the job goes on once the prover answers
      prover.sendResult(RawProver.success(third, "p1"));
      ExecuteTaskRequest prove = prover.awaitTask();
      assertEquals("PROVE", prove.getTaskType().name());
      assertEquals(
          List.of(0L, 0L),
          coordinator
              .jdbi()
              .withHandle(
                  h ->
                      h.createQuery(
                              "SELECT task_failures FROM jobs WHERE job_id = CAST(? AS uuid) UNION ALL SELECT count(*) FROM tasks WHERE state = 'FAILED'")
                          .bind(0, jobId)
                          .mapTo(Long.class)
                          .list()));
    }
  }

  private static ExecuteTaskResponse failure(ExecuteTaskRequest task, String message) {
    return ExecuteTaskResponse.newBuilder()
        .setJobId(task.getJobId())
        .setTaskId(task.getTaskId())
        .setProverId(task.getProverId())
        .setTaskType(task.getTaskType())
        .setSuccess(false)
        .setErrorMessage(message)
        .build();
  }

  private static String launch(RunningCoordinator coordinator) {
    return coordinator
        .stub()
        .launchProof(
            LaunchProofRequest.newBuilder()
                .setBlockId("block")
                .setComputeCapacity(1)
                .setInputPath("/input")
                .build())
        .getJobId();
  }

  private static JobStatus status(RunningCoordinator coordinator, String jobId) {
    return coordinator
        .stub()
        .jobStatus(JobStatusRequest.newBuilder().setJobId(jobId).build())
        .getJob();
  }

  private static ProverInfo prover(RunningCoordinator coordinator, String proverId) {
    return coordinator
        .stub()
        .proversList(ProversListRequest.getDefaultInstance())
        .getProversList()
        .getProversList()
        .stream()
        .filter(info -> info.getProverId().equals(proverId))
        .findFirst()
        .orElseThrow();
  }
}
