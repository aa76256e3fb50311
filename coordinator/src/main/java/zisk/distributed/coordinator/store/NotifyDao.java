package zisk.distributed.coordinator.store;

import java.sql.Connection;

/**
 * PostgreSQL NOTIFY, the wake-up between coordinators (delivered when the sending transaction
 * commits).
 */
public final class NotifyDao {

  private final Connection connection;

  NotifyDao(Connection connection) {
    this.connection = connection;
  }

  private static final Sql SEND = Sql.of("SELECT pg_notify(:channel, :payload)");

  public String send(String channel, String payload) {
    return SEND.on(connection)
        .bind("channel", channel)
        .bind("payload", payload)
        .one(row -> row.getString(1));
  }
}
