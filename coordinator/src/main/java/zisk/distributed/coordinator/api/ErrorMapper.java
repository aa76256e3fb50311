package zisk.distributed.coordinator.api;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.jdbi.v3.core.ConnectionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.api.v1.ErrorResponse;
import zisk.distributed.coordinator.health.DatabaseAvailability;

/**
 * Turns whatever a handler threw into the {@code ErrorResponse} the client sees, and chooses how
 * loudly to log it: expected cases at debug, an unreachable database at warn, a bug at error. A
 * stack trace never reaches a client.
 */
public final class ErrorMapper {

  private static final Logger log = LoggerFactory.getLogger(ErrorMapper.class);

  private final DatabaseAvailability availability;

  public ErrorMapper(DatabaseAvailability availability) {
    this.availability = availability;
  }

  public ErrorResponse toErrorResponse(String rpc, Throwable error) {
    if (error instanceof ApiException api) {
      log.debug("{} answered {}: {}", rpc, api.code(), api.getMessage());
      return ErrorResponse.newBuilder().setCode(api.code()).setMessage(api.getMessage()).build();
    }
    if (isDatabaseUnavailable(error)) {
      availability.reportFailure(error);
      log.warn(
          "{} answered SYSTEM_UNAVAILABLE: database unreachable ({})", rpc, rootMessage(error));
      return ErrorResponse.newBuilder()
          .setCode(ApiException.SYSTEM_UNAVAILABLE)
          .setMessage("the coordinator's database is unavailable; retry shortly")
          .build();
    }
    log.error("{} failed unexpectedly", rpc, error);
    return ErrorResponse.newBuilder()
        .setCode(ApiException.INTERNAL)
        .setMessage("internal error in " + rpc + "; see the coordinator's log")
        .build();
  }

  /**
   * Connection-level failures: no connection within the pool's timeout, or a connection that broke
   * (SQL state class 08, or 57P01..57P03 when the server shuts down).
   */
  static boolean isDatabaseUnavailable(Throwable error) {
    if (error instanceof ConnectionException) {
      return true;
    }
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof SQLTransientConnectionException) {
        return true;
      }
      if (cause instanceof SQLException sql
          && sql.getSQLState() != null
          && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getMessage();
  }
}
