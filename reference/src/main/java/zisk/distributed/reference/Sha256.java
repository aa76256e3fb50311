package zisk.distributed.reference;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256, the only hash of the reference prover. */
final class Sha256 {

  /** Bytes in a digest, and so in every chain state and Merkle node. */
  static final int LENGTH = 32;

  private Sha256() {}

  /** A fresh digest: {@link MessageDigest} is not thread-safe, so each computation has its own. */
  static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      // Every Java platform must provide SHA-256.
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  static byte[] hash(byte[] data) {
    return newDigest().digest(data);
  }
}
