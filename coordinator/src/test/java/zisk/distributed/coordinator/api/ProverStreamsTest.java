package zisk.distributed.coordinator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import zisk.distributed.api.v1.ExecuteTaskRequest;
import zisk.distributed.api.v1.LaunchProofRequest;
import zisk.distributed.api.v1.TaskType;
import zisk.distributed.coordinator.config.CoordinatorConfig;
import zisk.distributed.coordinator.testing.RawProver;
import zisk.distributed.coordinator.testing.RunningCoordinator;
import zisk.distributed.coordinator.testing.TestDatabase;

/** The stream endpoint over the in-process transport, where a prover's messages arrive in order. */
class ProverStreamsTest {

  @Test
  void aResultSentJustBeforeTheStreamEndsStillCounts() {
    try (RunningCoordinator coordinator =
            RunningCoordinator.inProcess(CoordinatorConfig.local(TestDatabase.freshJdbcUrl()));
        RawProver leaving = RawProver.open(coordinator.channel(), true);
        RawProver staying = RawProver.open(coordinator.channel(), true)) {
      assertTrue(leaving.register("leaving", 1).getAccepted());
      assertTrue(staying.register("staying", 1).getAccepted());
      coordinator
          .stub()
          .launchProof(
              LaunchProofRequest.newBuilder()
                  .setBlockId("block")
                  .setComputeCapacity(2)
                  .setInputPath("/in")
                  .build());
      ExecuteTaskRequest leavingTask = leaving.awaitTask();
      ExecuteTaskRequest stayingTask = staying.awaitTask();

      // The result, then at once the end of the stream: the result was sent first, so it counts.
      leaving.sendResult(RawProver.success(leavingTask, "leaving"));
      leaving.cancel();
      staying.sendResult(RawProver.success(stayingTask, "staying"));

      assertEquals(TaskType.PROVE, staying.awaitTask().getTaskType());
    }
  }
}
