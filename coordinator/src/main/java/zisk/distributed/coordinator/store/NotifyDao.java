package zisk.distributed.coordinator.store;

import org.jdbi.v3.sqlobject.statement.SqlQuery;

/** PostgreSQL NOTIFY, the wake-up between coordinators (delivered when the sending transaction commits). */
public interface NotifyDao {

  @SqlQuery("SELECT pg_notify(:channel, :payload)")
  String send(String channel, String payload);
}
