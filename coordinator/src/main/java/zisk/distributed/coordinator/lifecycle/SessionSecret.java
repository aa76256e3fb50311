package zisk.distributed.coordinator.lifecycle;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The secret that proves a reconnect comes from the session that registered: 32 random bytes,
 * base64url, handed to the prover once in its register response. The coordinator keeps only the
 * SHA-256 of it (a database reader cannot resume anyone's session) and compares in constant time.
 */
public final class SessionSecret {

  /** Longer than any secret this class issues (43 characters): not worth hashing. */
  private static final int MAX_PRESENTED_LENGTH = 128;

  private static final SecureRandom random = new SecureRandom();

  private final String value;
  private final byte[] hash;

  private SessionSecret(String value) {
    this.value = value;
    this.hash = hash(value);
  }

  /** A fresh secret. */
  public static SessionSecret issue() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return new SessionSecret(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
  }

  /** The secret itself, for the register response only. */
  public String value() {
    return value;
  }

  /** What the store keeps. */
  public byte[] hash() {
    return hash.clone();
  }

  /** Whether {@code presented} is the secret whose hash is {@code storedHash}. */
  public static boolean matches(String presented, byte[] storedHash) {
    if (presented == null
        || presented.isEmpty()
        || presented.length() > MAX_PRESENTED_LENGTH
        || storedHash == null) {
      return false;
    }
    return MessageDigest.isEqual(hash(presented), storedHash);
  }

  private static byte[] hash(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** Never the secret: this object may end up in a log line by accident. */
  @Override
  public String toString() {
    return "SessionSecret[redacted]";
  }
}
