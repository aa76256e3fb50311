package zisk.distributed.reference;

import java.util.ArrayList;
import java.util.List;

/**
 * One lane as its rank computed it: every state of the chain, as the leaves of a Merkle tree. Kept
 * in memory from PARTIAL_CONTRIBUTION to PROVE, about 64 bytes per step.
 */
public final class LaneWitness {

  private final int lane;
  private final MerkleTree tree;

  private LaneWitness(int lane, MerkleTree tree) {
    this.lane = lane;
    this.tree = tree;
  }

  /** Runs lane {@code lane} of {@code input} and commits to it. */
  public static LaneWitness compute(ReferenceInput input, int lane) throws InterruptedException {
    byte[] states = HashChain.states(input.seed(), lane, Math.toIntExact(input.steps()));
    return fromStates(lane, states);
  }

  /** Commits to {@code states} (32 bytes each) as lane {@code lane}, whatever they are. */
  static LaneWitness fromStates(int lane, byte[] states) throws InterruptedException {
    return new LaneWitness(lane, MerkleTree.build(states));
  }

  public int lane() {
    return lane;
  }

  public LaneCommitment commitment() {
    return new LaneCommitment(lane, tree.root(), tree.leaf(tree.leafCount() - 1));
  }

  /** Opens the first and last states and the steps {@code challenge} selects. */
  public LaneProof prove(byte[] challenge) throws InterruptedException {
    Cancellation.checkpoint();
    int steps = tree.leafCount() - 1;
    List<StepOpening> openings = new ArrayList<>(FiatShamir.OPENINGS_PER_LANE);
    for (long step : FiatShamir.steps(challenge, lane, steps)) {
      openings.add(StepOpening.of(tree, (int) step));
    }
    LaneCommitment commitment = commitment();
    return new LaneProof(
        lane,
        commitment.root(),
        commitment.finalState(),
        MerkleOpening.of(tree, 0),
        MerkleOpening.of(tree, steps),
        List.copyOf(openings));
  }
}
