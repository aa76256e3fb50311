package zisk.distributed.reference;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * Turns the commitments into the spot checks, so no verifier has to send them (Fiat-Shamir).
 *
 * <p>The global challenge is SHA-256 over a domain tag, the statement (lanes, steps, SHA-256 of the
 * seed, the ranks' weights) and then, in lane order, every lane's number, rank, root and final
 * state. Hashing the statement too binds the challenge to this input: commitments made for one
 * input give no head start on another.
 *
 * <p>Step {@code j} of lane {@code l} is the first 8 bytes of {@code SHA-256(tag || challenge || l
 * || j)} as an unsigned number, modulo {@code steps} (the bias is below {@code steps / 2^64}).
 */
public final class FiatShamir {

  /**
   * Steps opened per lane (q). A prover that broke a fraction f of a lane's steps passes all q
   * checks with probability {@code (1 - f)^q}: below 4% for f = 10%, below 0.1% for f = 20%.
   */
  public static final int OPENINGS_PER_LANE = 32;

  private static final byte[] CHALLENGE_TAG = tag("zisk-reference/v1/challenge");
  private static final byte[] POSITION_TAG = tag("zisk-reference/v1/position");

  private FiatShamir() {}

  /**
   * The global challenge of a job.
   *
   * @param byLane one commitment per lane, lane {@code i} at index {@code i}
   */
  public static byte[] challenge(
      ReferenceInput input, LaneSplit split, List<LaneCommitment> byLane) {
    if (byLane.size() != input.lanes() || split.lanes() != input.lanes()) {
      throw new IllegalArgumentException("one commitment per lane is needed");
    }
    MessageDigest digest = Sha256.newDigest();
    digest.update(CHALLENGE_TAG);
    digest.update(ByteBuffer.allocate(12).putInt(input.lanes()).putLong(input.steps()).array());
    digest.update(input.seedHash());
    long[] weights = split.weights();
    ByteBuffer ranks = ByteBuffer.allocate(4 + 8 * weights.length).putInt(weights.length);
    for (long weight : weights) {
      ranks.putLong(weight);
    }
    digest.update(ranks.array());
    for (int lane = 0; lane < byLane.size(); lane++) {
      LaneCommitment commitment = byLane.get(lane);
      if (commitment.lane() != lane) {
        throw new IllegalArgumentException(
            "commitment of lane " + commitment.lane() + " at index " + lane);
      }
      digest.update(ByteBuffer.allocate(8).putInt(lane).putInt(split.rankOf(lane)).array());
      digest.update(commitment.root());
      digest.update(commitment.finalState());
    }
    return digest.digest();
  }

  /** The {@value #OPENINGS_PER_LANE} steps to open in {@code lane}, each in {@code [0, steps)}. */
  static long[] steps(byte[] challenge, int lane, long steps) {
    long[] chosen = new long[OPENINGS_PER_LANE];
    MessageDigest digest = Sha256.newDigest();
    for (int j = 0; j < chosen.length; j++) {
      digest.update(POSITION_TAG);
      digest.update(challenge);
      digest.update(ByteBuffer.allocate(8).putInt(lane).putInt(j).array());
      long draw = ByteBuffer.wrap(digest.digest()).getLong();
      chosen[j] = Long.remainderUnsigned(draw, steps);
    }
    return chosen;
  }

  private static byte[] tag(String name) {
    return name.getBytes(StandardCharsets.US_ASCII);
  }
}
