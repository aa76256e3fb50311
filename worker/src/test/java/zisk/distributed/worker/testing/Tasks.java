package zisk.distributed.worker.testing;

import zisk.distributed.api.v1.AggParams;
import zisk.distributed.api.v1.Challenges;
import zisk.distributed.api.v1.ContributionParams;
import zisk.distributed.api.v1.ExecuteTaskRequest;
import zisk.distributed.api.v1.Proof;
import zisk.distributed.api.v1.ProofList;
import zisk.distributed.api.v1.ProveParams;
import zisk.distributed.api.v1.TaskType;

/** Task requests as a coordinator would send them (the fake stream fills in the prover id). */
public final class Tasks {

  private Tasks() {}

  public static ExecuteTaskRequest contribution(String jobId, String taskId, int rank) {
    return base(jobId, taskId, TaskType.PARTIAL_CONTRIBUTION)
        .setContributionParams(
            ContributionParams.newBuilder()
                .setBlockId("block-1")
                .setInputPath("/tmp/input")
                .setRankId(rank)
                .setTotalProvers(2)
                .addProverAllocation(3)
                .addProverAllocation(3)
                .setJobComputeUnits(6))
        .build();
  }

  public static ExecuteTaskRequest prove(String jobId, String taskId, int ranks) {
    ProveParams.Builder params = ProveParams.newBuilder();
    for (int rank = 0; rank < ranks; rank++) {
      params.addChallenges(Challenges.newBuilder().setProverIndex(rank).addChallenge(rank + 100L));
    }
    return base(jobId, taskId, TaskType.PROVE).setProveParams(params).build();
  }

  public static ExecuteTaskRequest aggregate(String jobId, String taskId, int ranks) {
    ProofList.Builder proofs = ProofList.newBuilder();
    for (int rank = 0; rank < ranks; rank++) {
      proofs.addProofs(Proof.newBuilder().setProverIndex(rank).addValues(rank));
    }
    return base(jobId, taskId, TaskType.AGGREGATE)
        .setAggParams(AggParams.newBuilder().setAggProofs(proofs).setFinalProof(true))
        .build();
  }

  private static ExecuteTaskRequest.Builder base(String jobId, String taskId, TaskType type) {
    return ExecuteTaskRequest.newBuilder().setJobId(jobId).setTaskId(taskId).setTaskType(type);
  }
}
