package zisk.distributed.reference;

import java.util.ArrayList;
import java.util.List;
import zisk.distributed.api.v1.FinalProof;
import zisk.distributed.api.v1.FinalProofList;

/**
 * The final proof of a job, as the aggregator writes it and the verifier reads it.
 *
 * <p>It travels as a {@link FinalProofList} with exactly one {@link FinalProof}, whose words are:
 *
 * <ol>
 *   <li>{@link #MAGIC} ("ZISKREF" and a zero byte) and {@link #FORMAT} (1);
 *   <li>the input's digest: {@code lanes}, {@code steps}, packed SHA-256 of the seed;
 *   <li>{@code q}, the step openings per lane;
 *   <li>the number of ranks, then each rank's weight (its compute units), which fix the lane split;
 *   <li>the packed global challenge;
 *   <li>the number of lanes again, then each lane's {@link LaneProof} words in lane order: its root
 *       and output (final state), then its openings.
 * </ol>
 */
record ReferenceFinalProof(
    int lanes,
    long steps,
    byte[] seedHash,
    int openingsPerLane,
    long[] weights,
    byte[] challenge,
    List<LaneProof> laneProofs) {

  /** "ZISKREF\0": tells a reference proof from other words at a glance. */
  static final long MAGIC = 0x5A49_534B_5245_4600L;

  /** Version of this layout. */
  static final long FORMAT = 1;

  FinalProofList toProto() {
    WordWriter out =
        new WordWriter()
            .word(MAGIC)
            .word(FORMAT)
            .word(lanes)
            .word(steps)
            .bytes(seedHash)
            .word(openingsPerLane)
            .word(weights.length);
    for (long weight : weights) {
      out.word(weight);
    }
    out.bytes(challenge).word(laneProofs.size());
    for (LaneProof laneProof : laneProofs) {
      laneProof.write(out);
    }
    FinalProof proof = FinalProof.newBuilder().addAllValues(out.toList()).build();
    return FinalProofList.newBuilder().addFinalProofs(proof).build();
  }

  /** Reads the layout; says nothing about whether the proof is valid. */
  static ReferenceFinalProof fromProto(FinalProofList list) throws InvalidProofException {
    if (list.getFinalProofsCount() != 1) {
      throw new InvalidProofException(
          "expected exactly one final proof, got " + list.getFinalProofsCount());
    }
    WordReader in = WordReader.of(list.getFinalProofs(0).getValuesList());
    in.expect(MAGIC, "magic word (not a reference proof)");
    in.expect(FORMAT, "format version");
    long lanes = in.word("lanes");
    long steps = in.word("steps");
    byte[] seedHash = in.bytes(Sha256.LENGTH, "seed hash");
    long openingsPerLane = in.word("openings per lane");
    int ranks = in.count("number of ranks");
    long[] weights = new long[ranks];
    for (int r = 0; r < ranks; r++) {
      weights[r] = in.word("weight of rank " + r);
    }
    byte[] challenge = in.bytes(Sha256.LENGTH, "challenge");
    int laneCount = in.count("number of lane proofs");
    List<LaneProof> laneProofs = new ArrayList<>(laneCount);
    for (int lane = 0; lane < laneCount; lane++) {
      try {
        laneProofs.add(LaneProof.read(in));
      } catch (InvalidProofException e) {
        throw e.within("lane " + lane);
      }
    }
    in.end("the final proof");
    if (lanes < 1
        || lanes > ReferenceInput.MAX_LANES
        || steps < 1
        || steps > ReferenceInput.MAX_STEPS
        || openingsPerLane < 0
        || openingsPerLane > Integer.MAX_VALUE) {
      throw new InvalidProofException("lanes, steps or openings per lane out of range");
    }
    return new ReferenceFinalProof(
        (int) lanes,
        steps,
        seedHash,
        (int) openingsPerLane,
        weights,
        challenge,
        List.copyOf(laneProofs));
  }
}
