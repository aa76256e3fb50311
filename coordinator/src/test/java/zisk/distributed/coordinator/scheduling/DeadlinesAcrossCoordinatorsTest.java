package zisk.distributed.coordinator.scheduling;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import zisk.distributed.api.v1.CancelJobRequest;
import zisk.distributed.api.v1.ExecuteTaskRequest;
import zisk.distributed.api.v1.LaunchProofRequest;
import zisk.distributed.coordinator.config.CoordinatorConfig;
import zisk.distributed.coordinator.testing.RawProver;
import zisk.distributed.coordinator.testing.RunningCoordinator;
import zisk.distributed.coordinator.testing.TestDatabase;

/**
 * Two coordinators over one database both sweep for tasks past their deadline: each timed-out task
 * is counted once, and its prover hears of it through the coordinator holding its stream.
 */
class DeadlinesAcrossCoordinatorsTest {

  @Test
  void bothCoordinatorsSweepButEachTimedOutTaskCountsOnce() {
    CoordinatorConfig config = CoordinatorConfig.local(TestDatabase.freshJdbcUrl());
    try (RunningCoordinator a = RunningCoordinator.onTcp(config);
        RunningCoordinator b = RunningCoordinator.onTcp(config);
        RawProver hung = RawProver.open(b.channel(), true)) {
      assertTrue(hung.register("hung-on-b", 1).getAccepted());
      String jobId =
          a.stub()
              .launchProof(
                  LaunchProofRequest.newBuilder()
                      .setBlockId("block")
                      .setComputeCapacity(1)
                      .setInputPath("/in")
                      .setPartialContributionTimeoutSeconds(1)
                      .build())
              .getJobId();
      ExecuteTaskRequest stuck = hung.awaitTask();

      hung.await(
          "job_cancelled naming the task",
          message ->
              message.hasJobCancelled()
                  && message.getJobCancelled().getTaskId().equals(stuck.getTaskId()));
      a.stub().cancelJob(CancelJobRequest.newBuilder().setJobId(jobId).setReason("done").build());

      // Every TIMED_OUT task has one event, and the counter matches them (sweeps keep running on
      // both coordinators while the test reads: the counts are compared in one statement).
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  a.jdbi()
                      .withHandle(
                          h ->
                              h.createQuery(
                                      """
                      SELECT (SELECT count(*) FROM tasks WHERE job_id = j.job_id AND state = 'TIMED_OUT')
                             || ' ' || (SELECT count(*) FROM job_events WHERE job_id = j.job_id AND event = 'TASK_TIMED_OUT')
                             || ' ' || j.timeouts || ' ' || j.state
                      FROM jobs j WHERE j.job_id = ?::uuid
                      """)
                                  .bind(0, jobId)
                                  .mapTo(String.class)
                                  .one()),
              counts -> {
                String[] parts = counts.split(" ");
                return parts[3].equals("CANCELLED")
                    && parts[0].equals(parts[1])
                    && parts[1].equals(parts[2])
                    && !parts[0].equals("0");
              });
      assertEquals(jobId, stuck.getJobId());
    }
  }
}
