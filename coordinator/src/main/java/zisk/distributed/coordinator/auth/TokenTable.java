package zisk.distributed.coordinator.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import zisk.distributed.coordinator.config.AuthConfig;

/**
 * The configured tokens, looked up by secret. Only SHA-256 hashes are kept; a lookup hashes the
 * presented secret and compares it with every hash in constant time, so neither the timing nor the
 * order of the table tells a caller how close a guess came.
 */
final class TokenTable {

  private record Entry(byte[] sha256, Caller caller) {}

  private final List<Entry> entries;

  TokenTable(AuthConfig config) {
    this.entries =
        config.tokens().stream()
            .map(
                token ->
                    new Entry(
                        HexFormat.of().parseHex(token.sha256()),
                        new Caller(
                            Optional.of(token.name()),
                            token.role(),
                            token.proverIds().map(ProverIdPattern::new))))
            .toList();
  }

  boolean isEmpty() {
    return entries.isEmpty();
  }

  int size() {
    return entries.size();
  }

  /** The caller whose token has this secret. */
  Optional<Caller> find(String secret) {
    byte[] presented = sha256(secret);
    Caller found = null;
    for (Entry entry : entries) {
      // No early exit: every lookup costs the same whichever entry matches.
      if (MessageDigest.isEqual(entry.sha256(), presented)) {
        found = entry.caller();
      }
    }
    return Optional.ofNullable(found);
  }

  static byte[] sha256(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
