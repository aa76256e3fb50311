package zisk.distributed.reference;

import java.util.Arrays;
import zisk.distributed.api.v1.Challenges;

/**
 * What a rank commits to for one lane in PARTIAL_CONTRIBUTION: the Merkle root over the lane's
 * states and its final state (the lane's output).
 *
 * <p>On the wire it is one {@link Challenges}: {@code prover_index} = rank, {@code airgroup_id} =
 * lane, {@code challenge} = the packed root, then the packed final state.
 */
public record LaneCommitment(int lane, byte[] root, byte[] finalState) {

  /** Whether both commit to the same lane, root and final state. */
  public boolean sameAs(LaneCommitment other) {
    return lane == other.lane
        && Arrays.equals(root, other.root)
        && Arrays.equals(finalState, other.finalState);
  }

  public Challenges toProto(int rank) {
    return Challenges.newBuilder()
        .setProverIndex(rank)
        .setAirgroupId(lane)
        .addAllChallenge(new WordWriter().bytes(root).bytes(finalState).toList())
        .build();
  }

  /** Reads a contribution; the caller checks that its lane and rank fit the job. */
  public static LaneCommitment fromProto(Challenges contribution) throws InvalidProofException {
    WordReader in = WordReader.of(contribution.getChallengeList());
    byte[] root = in.bytes(Sha256.LENGTH, "root");
    byte[] finalState = in.bytes(Sha256.LENGTH, "final state");
    in.end("the contribution");
    return new LaneCommitment(contribution.getAirgroupId(), root, finalState);
  }
}
