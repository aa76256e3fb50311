package zisk.distributed.reference;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import zisk.distributed.api.v1.Proof;

/**
 * The proof of one lane: its commitment (root and final state) and the openings that back it: the
 * first state, the last state and one {@link StepOpening} per Fiat-Shamir step.
 *
 * <p>Words: {@code lane}, packed root, packed final state, first opening, last opening, the number
 * of step openings, the step openings (see {@link MerkleOpening} and {@link StepOpening}). A
 * partial proof on the wire ({@link Proof}) puts {@link #PARTIAL_FORMAT} in front of these words; a
 * final proof repeats them for every lane.
 */
public record LaneProof(
    int lane,
    byte[] root,
    byte[] finalState,
    MerkleOpening first,
    MerkleOpening last,
    List<StepOpening> steps) {

  /** First word of a partial proof's values: the version of this layout. */
  static final long PARTIAL_FORMAT = 1;

  /** Merkle openings one lane proof holds: first, last and two per step. */
  public static final int OPENINGS = 2 + 2 * FiatShamir.OPENINGS_PER_LANE;

  LaneCommitment commitment() {
    return new LaneCommitment(lane, root, finalState);
  }

  /**
   * Checks this lane proof for {@code input} under {@code challenge}: the openings are of the
   * challenged steps, every path leads to the root, every opened step is one SHA-256, the first
   * state is {@code SHA-256(seed || lane)} and the last is the claimed final state.
   */
  void check(ReferenceInput input, int expectedLane, byte[] challenge)
      throws InvalidProofException {
    if (lane != expectedLane) {
      throw new InvalidProofException(
          "proof of lane " + lane + " where lane " + expectedLane + " was expected");
    }
    long leafCount = input.steps() + 1;
    first.check(0, root, leafCount, "first state");
    if (!Arrays.equals(first.leaf(), HashChain.start(input.seed(), lane))) {
      throw new InvalidProofException("the first state is not SHA-256(seed || lane)");
    }
    last.check(input.steps(), root, leafCount, "last state");
    if (!Arrays.equals(last.leaf(), finalState)) {
      throw new InvalidProofException("the last state is not the claimed final state");
    }
    if (steps.size() != FiatShamir.OPENINGS_PER_LANE) {
      throw new InvalidProofException(
          "has " + steps.size() + " step openings, expected " + FiatShamir.OPENINGS_PER_LANE);
    }
    long[] challenged = FiatShamir.steps(challenge, lane, input.steps());
    for (int j = 0; j < challenged.length; j++) {
      steps.get(j).check(challenged[j], root, leafCount, "step opening " + j);
    }
  }

  /**
   * Checks the proofs of every lane ({@code byLane.get(i)} proves lane {@code i}) under {@code
   * challenge}; a failure names the lane and its rank.
   */
  static void checkAll(
      ReferenceInput input, LaneSplit split, List<LaneProof> byLane, byte[] challenge)
      throws InvalidProofException, InterruptedException {
    for (int lane = 0; lane < byLane.size(); lane++) {
      Cancellation.checkpoint();
      try {
        byLane.get(lane).check(input, lane, challenge);
      } catch (InvalidProofException e) {
        throw e.within("lane " + lane + " (rank " + split.rankOf(lane) + ")");
      }
    }
  }

  /** The commitments of {@code byLane}, in the same order. */
  static List<LaneCommitment> commitments(List<LaneProof> byLane) {
    return byLane.stream().map(LaneProof::commitment).toList();
  }

  /** The partial proof of this lane, as rank {@code rank} sends it. */
  public Proof toProto(int rank) {
    WordWriter out = new WordWriter().word(PARTIAL_FORMAT);
    write(out);
    return Proof.newBuilder()
        .setProverIndex(rank)
        .setAirgroupId(lane)
        .addAllValues(out.toList())
        .build();
  }

  /** Reads a partial proof; the caller checks that its lane and rank fit the job. */
  static LaneProof fromProto(Proof proof) throws InvalidProofException {
    WordReader in = WordReader.of(proof.getValuesList());
    in.expect(PARTIAL_FORMAT, "partial proof format");
    LaneProof laneProof = read(in);
    in.end("the partial proof");
    if (laneProof.lane() != proof.getAirgroupId()) {
      throw new InvalidProofException(
          "airgroup_id "
              + proof.getAirgroupId()
              + " but the values prove lane "
              + laneProof.lane());
    }
    return laneProof;
  }

  void write(WordWriter out) {
    out.word(lane).bytes(root).bytes(finalState);
    first.write(out);
    last.write(out);
    out.word(steps.size());
    for (StepOpening step : steps) {
      step.write(out);
    }
  }

  static LaneProof read(WordReader in) throws InvalidProofException {
    long lane = in.word("lane");
    if (lane < 0 || lane >= ReferenceInput.MAX_LANES) {
      throw new InvalidProofException("lane " + Long.toUnsignedString(lane) + " is out of range");
    }
    byte[] root = in.bytes(Sha256.LENGTH, "root");
    byte[] finalState = in.bytes(Sha256.LENGTH, "final state");
    MerkleOpening first = MerkleOpening.read(in, "first state");
    MerkleOpening last = MerkleOpening.read(in, "last state");
    int count = in.count("number of step openings");
    List<StepOpening> steps = new ArrayList<>(count);
    for (int j = 0; j < count; j++) {
      steps.add(StepOpening.read(in, "step opening " + j));
    }
    return new LaneProof((int) lane, root, finalState, first, last, List.copyOf(steps));
  }
}
