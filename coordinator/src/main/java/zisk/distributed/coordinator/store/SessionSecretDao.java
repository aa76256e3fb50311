package zisk.distributed.coordinator.store;

import java.sql.Connection;
import java.util.Optional;

/**
 * The SQL of a prover's session secret: only its SHA-256 is stored, in {@code
 * provers.session_secret_hash}. Apart from {@link ProverDao} so the registration's other statements
 * stay as they are; callers hold the prover's row lock (registration takes it first).
 */
public final class SessionSecretDao {

  private final Connection connection;

  SessionSecretDao(Connection connection) {
    this.connection = connection;
  }

  private static final Sql HASH_OF =
      Sql.of("SELECT session_secret_hash FROM provers WHERE prover_id = :proverId");

  /** The hash of the prover's current session secret; empty for an unknown prover or none set. */
  public Optional<byte[]> hashOf(String proverId) {
    return HASH_OF
        .on(connection)
        .bind("proverId", proverId)
        .optional(row -> Optional.ofNullable(row.getBytes("session_secret_hash")))
        .flatMap(hash -> hash);
  }

  private static final Sql STORE =
      Sql.of("UPDATE provers SET session_secret_hash = :hash WHERE prover_id = :proverId");

  /** Replaces the prover's session secret hash; answers the rows changed (1, or 0 if unknown). */
  public int store(String proverId, byte[] hash) {
    return STORE.on(connection).bind("proverId", proverId).bind("hash", hash).update();
  }
}
