package zisk.distributed.coordinator.scheduling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import zisk.distributed.api.v1.CancelJobRequest;
import zisk.distributed.api.v1.CoordinatorMessage;
import zisk.distributed.api.v1.LaunchProofRequest;
import zisk.distributed.coordinator.config.CoordinatorConfig;
import zisk.distributed.coordinator.testing.RawProver;
import zisk.distributed.coordinator.testing.RunningCoordinator;
import zisk.distributed.coordinator.testing.TestDatabase;

/** Two coordinators over one database: work and cancellations reach a prover through the one holding its stream. */
class CrossCoordinatorTest {

  @Test
  void aJobLaunchedOnOneCoordinatorReachesAProverOnTheOtherAndSoDoesItsCancel() throws Exception {
    CoordinatorConfig config = CoordinatorConfig.local(TestDatabase.freshJdbcUrl());
    try (RunningCoordinator a = RunningCoordinator.onTcp(config);
        RunningCoordinator b = RunningCoordinator.onTcp(config);
        RawProver prover = new RawProver(b.channel())) {
      assertTrue(prover.register("on-b", 2).getRegisterResponse().getAccepted());

      String jobId = a.stub().launchProof(LaunchProofRequest.newBuilder()
          .setBlockId("block").setComputeCapacity(2).setInputPath("/in").build()).getJobId();
      CoordinatorMessage task = prover.await("the task", Duration.ofSeconds(20), CoordinatorMessage::hasExecuteTask);
      a.stub().cancelJob(CancelJobRequest.newBuilder().setJobId(jobId).setReason("test").build());
      CoordinatorMessage cancelled = prover.await("JobCancelled", Duration.ofSeconds(20), CoordinatorMessage::hasJobCancelled);

      assertEquals(jobId, task.getExecuteTask().getJobId());
      assertEquals(jobId, cancelled.getJobCancelled().getJobId());
      assertEquals(task.getExecuteTask().getTaskId(), cancelled.getJobCancelled().getTaskId());
      assertEquals("test", cancelled.getJobCancelled().getReason());
    }
  }
}
