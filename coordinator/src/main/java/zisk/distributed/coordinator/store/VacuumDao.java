package zisk.distributed.coordinator.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.Optional;

/**
 * VACUUM of {@code provers}. Its few rows are rewritten each time a prover starts or ends a job,
 * and none of those updates can be HOT (a prover's state and job are indexed), so each leaves a
 * dead row version whose line pointer only VACUUM frees: without it the table grows by a page every
 * few hundred updates, and every statement that reads it slows down with it (README "The
 * database").
 */
public final class VacuumDao {

  /** SQLSTATE of "skipping vacuum --- lock not available": another VACUUM of it is running. */
  private static final String LOCK_NOT_AVAILABLE = "55P03";

  private final Connection connection;

  VacuumDao(Connection connection) {
    this.connection = connection;
  }

  /**
   * Vacuums {@code provers}, unless another VACUUM of it is running (that one does the work). The
   * freed space is reused, not cut off the end of the file: that would take a lock that stops every
   * statement on the table, the hottest of the hot path, while it lasts. Only in autocommit: VACUUM
   * cannot run inside a transaction.
   *
   * @return the server's warning when it would not vacuum the table for another reason (a role that
   *     does not own it); empty when it vacuumed or another VACUUM was running
   */
  public Optional<String> provers() {
    try (Statement statement = connection.createStatement()) {
      statement.execute("VACUUM (SKIP_LOCKED, TRUNCATE false) provers");
      for (SQLWarning w = statement.getWarnings(); w != null; w = w.getNextWarning()) {
        if (!LOCK_NOT_AVAILABLE.equals(w.getSQLState())) {
          return Optional.of(w.getMessage());
        }
      }
      return Optional.empty();
    } catch (SQLException e) {
      throw new StoreException(e);
    }
  }
}
