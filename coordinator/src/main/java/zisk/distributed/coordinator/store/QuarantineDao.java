package zisk.distributed.coordinator.store;

import java.sql.Connection;
import java.time.Instant;
import java.util.Optional;

/**
 * The SQL of quarantine, on {@code provers}: a prover's run of faults since its last success
 * ({@code failure_streak}), its quarantines since then ({@code quarantine_count}), and while it is
 * quarantined, until when ({@code held_until}) and why ({@code quarantine_reason}). Admission gives
 * no new work to a prover whose {@code held_until} is in the future.
 */
public final class QuarantineDao {

  private final Connection connection;

  QuarantineDao(Connection connection) {
    this.connection = connection;
  }

  /** A prover's record of faults after one more. */
  public record FaultRecord(int failureStreak, int quarantineCount) {}

  private static final Sql COUNT_FAULT =
      Sql.of(
          """
      UPDATE provers SET failure_streak = failure_streak + 1 WHERE prover_id = :proverId
      RETURNING failure_streak, quarantine_count
      """);

  /** One more fault in a row; empty when the prover row is gone (pruned). */
  public Optional<FaultRecord> countFault(String proverId) {
    return COUNT_FAULT
        .on(connection)
        .bind("proverId", proverId)
        .optional(
            row -> new FaultRecord(row.getInt("failure_streak"), row.getInt("quarantine_count")));
  }

  /** Quarantines the prover until {@code until} (never shortening a longer one). */
  private static final Sql QUARANTINE =
      Sql.of(
          """
      UPDATE provers
      SET quarantine_count = quarantine_count + 1,
          held_until = CASE WHEN held_until > :until THEN held_until ELSE :until END,
          quarantine_reason = :reason
      WHERE prover_id = :proverId
      """);

  public int quarantine(String proverId, Instant until, String reason) {
    return QUARANTINE
        .on(connection)
        .bind("proverId", proverId)
        .bind("until", until)
        .bind("reason", reason)
        .update();
  }

  /** A success clears the prover's record; 0 rows when it had nothing to clear. */
  private static final Sql CLEAR =
      Sql.of(
          """
      UPDATE provers p
      SET failure_streak = 0, quarantine_count = 0, quarantine_reason = NULL, held_until = NULL
      WHERE p.prover_id = :proverId AND zisk_has_fault_record(p)
      """);

  public int clear(String proverId) {
    return CLEAR.on(connection).bind("proverId", proverId).update();
  }
}
