package zisk.distributed.worker.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import zisk.distributed.api.v1.AggParams;
import zisk.distributed.api.v1.Challenges;
import zisk.distributed.api.v1.ContributionParams;
import zisk.distributed.api.v1.ExecuteTaskRequest;
import zisk.distributed.api.v1.Proof;
import zisk.distributed.api.v1.ProofList;
import zisk.distributed.api.v1.ProveParams;
import zisk.distributed.api.v1.TaskType;
import zisk.distributed.common.inputs.InputFiles;
import zisk.distributed.reference.ReferenceInput;
import zisk.distributed.worker.config.WorkerSettings;

/** Task requests as a coordinator would send them (the fake stream fills in the prover id). */
public final class Tasks {

  /** The file every contribution names, relative to the first inputs directory. */
  public static final String INPUT_NAME = "input.toml";

  /**
   * The inputs directory of test workers (one per test JVM), holding {@value #INPUT_NAME}: a small
   * reference input.
   */
  public static final InputFiles INPUTS = testInputs();

  private Tasks() {}

  private static InputFiles testInputs() {
    try {
      Path dir = Files.createTempDirectory("zisk-worker-test-inputs");
      Path input = dir.resolve(INPUT_NAME);
      new ReferenceInput(2, 8, new byte[] {1}).write(input);
      input.toFile().deleteOnExit();
      dir.toFile().deleteOnExit();
      return new InputFiles(List.of(dir), WorkerSettings.DEFAULT_MAX_INPUT_BYTES);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static ExecuteTaskRequest contribution(String jobId, String taskId, int rank) {
    return base(jobId, taskId, TaskType.PARTIAL_CONTRIBUTION)
        .setContributionParams(
            ContributionParams.newBuilder()
                .setBlockId("block-1")
                .setInputPath(INPUT_NAME)
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
