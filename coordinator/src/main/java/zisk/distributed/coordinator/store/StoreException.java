package zisk.distributed.coordinator.store;

import java.sql.SQLException;

/**
 * A statement failed; the SQLException (whose SQL state says whether the database is away) is its
 * cause.
 */
public final class StoreException extends RuntimeException {

  StoreException(SQLException cause) {
    super(cause.getMessage(), cause);
  }
}
