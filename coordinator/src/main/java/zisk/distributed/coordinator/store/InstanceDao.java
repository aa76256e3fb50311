package zisk.distributed.coordinator.store;

import java.sql.Connection;
import java.util.UUID;

/**
 * The SQL of {@code coordinator_instances}: a coordinator registers, keeps its row fresh, and
 * closes it.
 */
public final class InstanceDao {

  private final Connection connection;

  InstanceDao(Connection connection) {
    this.connection = connection;
  }

  private static final Sql REGISTER =
      Sql.of(
          "INSERT INTO coordinator_instances (instance_id, address, version) VALUES (:instanceId, :address, :version)");

  public int register(UUID instanceId, String address, String version) {
    return REGISTER
        .on(connection)
        .bind("instanceId", instanceId)
        .bind("address", address)
        .bind("version", version)
        .update();
  }

  /** Records the address once the server is bound (the configured port may have been 0). */
  private static final Sql SET_ADDRESS =
      Sql.of("UPDATE coordinator_instances SET address = :address WHERE instance_id = :instanceId");

  public int setAddress(UUID instanceId, String address) {
    return SET_ADDRESS
        .on(connection)
        .bind("instanceId", instanceId)
        .bind("address", address)
        .update();
  }

  /** Marks the instance alive; 0 rows when its row is gone or it was marked stopped. */
  private static final Sql HEARTBEAT =
      Sql.of(
          "UPDATE coordinator_instances SET last_seen_at = now() WHERE instance_id = :instanceId AND stopped_at IS NULL");

  public int heartbeat(UUID instanceId) {
    return HEARTBEAT.on(connection).bind("instanceId", instanceId).update();
  }

  private static final Sql MARK_STOPPED =
      Sql.of(
          "UPDATE coordinator_instances SET stopped_at = now(), last_seen_at = now() WHERE instance_id = :instanceId");

  public int markStopped(UUID instanceId) {
    return MARK_STOPPED.on(connection).bind("instanceId", instanceId).update();
  }
}
