package zisk.distributed.reference;

import java.nio.ByteBuffer;
import java.security.DigestException;
import java.security.MessageDigest;

/**
 * One lane's computation: {@code s0 = SHA-256(seed || lane)}, with the lane as 4 bytes big-endian,
 * and {@code s(i+1) = SHA-256(s(i))}.
 */
final class HashChain {

  private HashChain() {}

  /** The lane's first state. */
  static byte[] start(byte[] seed, int lane) {
    MessageDigest digest = Sha256.newDigest();
    digest.update(seed);
    digest.update(ByteBuffer.allocate(4).putInt(lane).array());
    return digest.digest();
  }

  /** The state after {@code state}. */
  static byte[] next(byte[] state) {
    return Sha256.hash(state);
  }

  /**
   * All states {@code s0 .. s_steps} of a lane, 32 bytes each, in one flat array (one object per
   * lane instead of one per state keeps millions of states cheap).
   */
  static byte[] states(byte[] seed, int lane, int steps) throws InterruptedException {
    byte[] states = new byte[(steps + 1) * Sha256.LENGTH];
    System.arraycopy(start(seed, lane), 0, states, 0, Sha256.LENGTH);
    MessageDigest digest = Sha256.newDigest();
    for (int i = 0; i < steps; i++) {
      Cancellation.checkpoint(i);
      digest.update(states, i * Sha256.LENGTH, Sha256.LENGTH);
      finish(digest, states, (i + 1) * Sha256.LENGTH);
    }
    return states;
  }

  /** Writes the digest into {@code out} at {@code offset}, without allocating. */
  static void finish(MessageDigest digest, byte[] out, int offset) {
    try {
      digest.digest(out, offset, Sha256.LENGTH);
    } catch (DigestException e) {
      // Only when the output does not fit, which the callers' sizes rule out.
      throw new IllegalStateException(e);
    }
  }
}
