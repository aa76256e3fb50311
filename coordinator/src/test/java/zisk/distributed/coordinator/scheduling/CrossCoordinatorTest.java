package zisk.distributed.coordinator.scheduling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import zisk.distributed.api.v1.CancelJobRequest;
import zisk.distributed.api.v1.CoordinatorMessage;
import zisk.distributed.api.v1.ExecuteTaskRequest;
import zisk.distributed.api.v1.LaunchProofRequest;
import zisk.distributed.coordinator.config.CoordinatorConfig;
import zisk.distributed.coordinator.testing.RawProver;
import zisk.distributed.coordinator.testing.RunningCoordinator;
import zisk.distributed.coordinator.testing.TestDatabase;

/**
 * Two coordinators over one database: work and cancellations reach a prover through the one holding
 * its stream.
 */
class CrossCoordinatorTest {

  @Test
  void aJobLaunchedOnOneCoordinatorReachesAProverOnTheOtherAndSoDoesItsCancel() throws Exception {
    CoordinatorConfig config = CoordinatorConfig.local(TestDatabase.freshJdbcUrl());
    try (RunningCoordinator a = RunningCoordinator.onTcp(config);
        RunningCoordinator b = RunningCoordinator.onTcp(config);
        RawProver prover = RawProver.open(b.channel(), true)) {
      assertTrue(prover.register("on-b", 2).getAccepted());

      String jobId =
          a.stub()
              .launchProof(
                  LaunchProofRequest.newBuilder()
                      .setBlockId("block")
                      .setComputeCapacity(2)
                      .setInputPath("/in")
                      .build())
              .getJobId();
      ExecuteTaskRequest task = prover.awaitTask();
      a.stub().cancelJob(CancelJobRequest.newBuilder().setJobId(jobId).setReason("test").build());
      CoordinatorMessage cancelled =
          prover.await("JobCancelled", CoordinatorMessage::hasJobCancelled);

      assertEquals(jobId, task.getJobId());
      assertEquals(jobId, cancelled.getJobCancelled().getJobId());
      assertEquals(task.getTaskId(), cancelled.getJobCancelled().getTaskId());
      assertEquals("test", cancelled.getJobCancelled().getReason());
    }
  }
}
