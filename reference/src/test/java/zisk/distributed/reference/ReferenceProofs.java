package zisk.distributed.reference;

import java.util.ArrayList;
import java.util.List;
import zisk.distributed.api.v1.FinalProofList;
import zisk.distributed.api.v1.ProofList;

/**
 * Proves an input in one process, rank by rank, as the workers of a job would: real final proofs
 * for the tests of the verifier and of the coordinator that runs it.
 */
public final class ReferenceProofs {

  private ReferenceProofs() {}

  /** A valid final proof of {@code input} by ranks of the given compute units. */
  public static FinalProofList prove(ReferenceInput input, long... units) throws Exception {
    LaneSplit split = LaneSplit.of(input.lanes(), units);
    List<LaneWitness> witnesses = new ArrayList<>();
    for (int lane = 0; lane < input.lanes(); lane++) {
      witnesses.add(LaneWitness.compute(input, lane));
    }
    List<LaneCommitment> commitments = witnesses.stream().map(LaneWitness::commitment).toList();
    byte[] challenge = FiatShamir.challenge(input, split, commitments);
    ProofList.Builder partials = ProofList.newBuilder();
    for (LaneWitness witness : witnesses) {
      partials.addProofs(witness.prove(challenge).toProto(split.rankOf(witness.lane())));
    }
    return ReferenceAggregator.aggregate(input, split, commitments, partials.build());
  }
}
