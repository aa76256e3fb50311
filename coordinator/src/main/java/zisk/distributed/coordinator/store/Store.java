package zisk.distributed.coordinator.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * Runs work against the database: one transaction ({@link #inTransaction}) for a transition, or one
 * autocommit connection ({@link #read}) for reads and single self-contained statements. Plain JDBC
 * under the data-access objects: a transition's cost is its round trips and its commit.
 */
public final class Store {

  private final DataSource dataSource;

  public Store(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * Runs {@code work} in one transaction: it commits when {@code work} returns, rolls back if it
   * throws.
   */
  public <T> T inTransaction(Function<Tx, T> work) {
    try (Connection connection = dataSource.getConnection()) {
      // The pool puts autocommit back when the connection returns; resetting it here could hide,
      // behind "connection is closed", the error that broke the connection.
      connection.setAutoCommit(false);
      try {
        T result = work.apply(Tx.on(connection));
        connection.commit();
        return result;
      } catch (RuntimeException | Error e) {
        rollback(connection, e);
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException(e);
    }
  }

  /**
   * Runs {@code work} on one connection in autocommit mode: each statement is its own transaction.
   */
  public <T> T read(Function<Tx, T> work) {
    try (Connection connection = dataSource.getConnection()) {
      return work.apply(Tx.on(connection));
    } catch (SQLException e) {
      throw new StoreException(e);
    }
  }

  private static void rollback(Connection connection, Throwable cause) {
    try {
      connection.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }
}
