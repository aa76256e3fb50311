package zisk.distributed.worker.prover.reference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import zisk.distributed.api.v1.AggParams;
import zisk.distributed.api.v1.ChallengesList;
import zisk.distributed.api.v1.ContributionParams;
import zisk.distributed.api.v1.FinalProofList;
import zisk.distributed.api.v1.ProofList;
import zisk.distributed.api.v1.ProveParams;
import zisk.distributed.common.inputs.InputFile;
import zisk.distributed.reference.ReferenceInput;

/**
 * Runs a job's three phases the way the coordinator does, with one backend per rank (as if each
 * rank were its own worker). Shared by the tests that need real proofs.
 */
public final class JobFixture {

  public static final String JOB_ID = "job-1";

  private final Path inputFile;
  private final int[] allocation;
  private final List<ReferenceProverBackend> ranks = new ArrayList<>();

  public JobFixture(Path inputFile, int... allocation) {
    this.inputFile = inputFile;
    this.allocation = allocation;
    for (int r = 0; r < allocation.length; r++) {
      ranks.add(new ReferenceProverBackend());
    }
  }

  /** Writes {@code input} to {@code file} and proves it with ranks of the given compute units. */
  public static FinalProofList prove(ReferenceInput input, Path file, int... allocation)
      throws Exception {
    input.write(file);
    JobFixture job = new JobFixture(file, allocation);
    return job.aggregate(job.proveAll(job.contributeAll()));
  }

  public ReferenceProverBackend rank(int rank) {
    return ranks.get(rank);
  }

  public ContributionParams contributionParams(int rank) {
    return ContributionParams.newBuilder()
        .setBlockId("block-1")
        .setInputPath(inputFile.toString())
        .setRankId(rank)
        .setTotalProvers(allocation.length)
        .addAllProverAllocation(Arrays.stream(allocation).boxed().toList())
        .setJobComputeUnits(Arrays.stream(allocation).sum())
        .build();
  }

  /** The input file as the worker hands it to a backend. */
  public InputFile input() throws IOException {
    return new InputFile(inputFile, Files.readAllBytes(inputFile));
  }

  /** PARTIAL_CONTRIBUTION on every rank; the answers as PROVE receives them (by rank). */
  public ProveParams contributeAll() throws Exception {
    ProveParams.Builder all = ProveParams.newBuilder();
    for (int r = 0; r < ranks.size(); r++) {
      ChallengesList answer = ranks.get(r).contribute(JOB_ID, contributionParams(r), input());
      all.addAllChallenges(answer.getChallengesList());
    }
    return all.build();
  }

  /** PROVE on every rank; every partial proof, as AGGREGATE receives them. */
  public ProofList proveAll(ProveParams contributions) throws Exception {
    ProofList.Builder all = ProofList.newBuilder();
    for (ReferenceProverBackend rank : ranks) {
      all.addAllProofs(rank.prove(JOB_ID, contributions).getProofsList());
    }
    return all.build();
  }

  /** AGGREGATE on the last rank (any rank may be the first to finish PROVE). */
  public FinalProofList aggregate(ProofList partials) throws Exception {
    AggParams params = AggParams.newBuilder().setAggProofs(partials).setFinalProof(true).build();
    return ranks.get(ranks.size() - 1).aggregate(JOB_ID, params);
  }
}
