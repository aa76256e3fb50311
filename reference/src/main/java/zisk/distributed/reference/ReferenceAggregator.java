package zisk.distributed.reference;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import zisk.distributed.api.v1.FinalProofList;
import zisk.distributed.api.v1.Proof;
import zisk.distributed.api.v1.ProofList;

/**
 * AGGREGATE: checks every rank's partial proofs and combines them into one {@link
 * ReferenceFinalProof}.
 *
 * <p>The aggregator trusts nothing it receives: it recomputes the global challenge from the
 * commitments the partial proofs carry and checks every opening, so a broken rank fails the job
 * here instead of producing a final proof that no verifier accepts.
 */
public final class ReferenceAggregator {

  private ReferenceAggregator() {}

  /**
   * The final proof of {@code input} from the partial proofs of every rank.
   *
   * @throws InvalidProofException when a lane is missing, duplicated or sent by the wrong rank, or
   *     a partial proof is malformed or does not check; the message names the lane and the rank
   */
  public static FinalProofList aggregate(ReferenceInput input, LaneSplit split, ProofList partials)
      throws InvalidProofException, InterruptedException {
    return aggregate(input, split, null, partials);
  }

  /**
   * As {@link #aggregate(ReferenceInput, LaneSplit, ProofList)}, and also checks that every partial
   * proof carries the root and final state its rank contributed (the aggregator saw every
   * contribution in its own PROVE task). That names the rank at fault: a changed commitment would
   * otherwise surface as a changed challenge, failing some other lane's openings.
   *
   * @param contributed every lane's contribution in lane order, or null when not known
   */
  public static FinalProofList aggregate(
      ReferenceInput input, LaneSplit split, List<LaneCommitment> contributed, ProofList partials)
      throws InvalidProofException, InterruptedException {
    if (split.lanes() != input.lanes()) {
      throw new IllegalArgumentException(
          "the split is for " + split.lanes() + " lanes, the input has " + input.lanes());
    }
    LaneProof[] byLane = new LaneProof[input.lanes()];
    for (Proof partial : partials.getProofsList()) {
      long lane = partial.getAirgroupId();
      int rank = partial.getProverIndex();
      if (lane < 0 || lane >= input.lanes()) {
        throw new InvalidProofException(
            "rank "
                + rank
                + " sent a partial proof for lane "
                + Long.toUnsignedString(lane)
                + ", but the input has "
                + input.lanes()
                + " lanes");
      }
      int owner = split.rankOf((int) lane);
      if (rank != owner) {
        throw new InvalidProofException(
            "rank "
                + rank
                + " sent a partial proof for lane "
                + lane
                + ", which belongs to rank "
                + owner);
      }
      if (byLane[(int) lane] != null) {
        throw new InvalidProofException("two partial proofs for lane " + lane);
      }
      try {
        byLane[(int) lane] = LaneProof.fromProto(partial);
      } catch (InvalidProofException e) {
        throw e.within("malformed partial proof of lane " + lane + " from rank " + rank);
      }
      LaneCommitment committed = byLane[(int) lane].commitment();
      if (contributed != null && !committed.sameAs(contributed.get((int) lane))) {
        throw new InvalidProofException(
            "the partial proof of lane "
                + lane
                + " from rank "
                + rank
                + " commits to another root or final state than its contribution");
      }
    }
    int[] missing = IntStream.range(0, byLane.length).filter(l -> byLane[l] == null).toArray();
    if (missing.length > 0) {
      throw new InvalidProofException("no partial proof for lanes " + Arrays.toString(missing));
    }
    List<LaneProof> laneProofs = List.of(byLane);
    byte[] challenge = FiatShamir.challenge(input, split, LaneProof.commitments(laneProofs));
    try {
      LaneProof.checkAll(input, split, laneProofs, challenge);
    } catch (InvalidProofException e) {
      throw e.within("invalid partial proof");
    }
    return new ReferenceFinalProof(
            input.lanes(),
            input.steps(),
            input.seedHash(),
            FiatShamir.OPENINGS_PER_LANE,
            split.weights(),
            challenge,
            laneProofs)
        .toProto();
  }
}
