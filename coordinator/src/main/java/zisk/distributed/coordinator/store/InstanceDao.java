package zisk.distributed.coordinator.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The SQL of {@code coordinator_instances}: a coordinator registers, keeps its row fresh, closes
 * it, and prunes the rows of instances gone for good.
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

  /**
   * Refreshes the row, waiting at most {@code within} for the database: a connection left dead by
   * an outage would otherwise hold the heartbeat for the whole socket timeout, long enough for the
   * other coordinators to judge this one dead. The pool restores the connection's timeout.
   */
  public int heartbeat(UUID instanceId, Duration within) {
    try {
      connection.setNetworkTimeout(Runnable::run, Math.toIntExact(within.toMillis()));
    } catch (SQLException e) {
      throw new StoreException(e);
    }
    return HEARTBEAT.on(connection).bind("instanceId", instanceId).update();
  }

  private static final Sql MARK_STOPPED =
      Sql.of(
          "UPDATE coordinator_instances SET stopped_at = now(), last_seen_at = now() WHERE instance_id = :instanceId");

  public int markStopped(UUID instanceId) {
    return MARK_STOPPED.on(connection).bind("instanceId", instanceId).update();
  }

  /** The provers whose rows name this instance as their stream's holder, with their session. */
  private static final Sql HELD_STREAMS =
      Sql.of("SELECT prover_id, session_epoch FROM provers WHERE instance_id = :instanceId");

  public Map<String, Long> heldStreams(UUID instanceId) {
    Map<String, Long> held = new HashMap<>();
    HELD_STREAMS
        .on(connection)
        .bind("instanceId", instanceId)
        .list(row -> Map.entry(row.getString("prover_id"), row.getLong("session_epoch")))
        .forEach(entry -> held.put(entry.getKey(), entry.getValue()));
    return held;
  }

  /**
   * Deletes at most {@code batch} instances silent (or stopped) for longer than the retention that
   * no prover row names any more: {@code provers.instance_id} is the only reference to an instance,
   * and a prover still naming one is settled by the orphan sweep first.
   */
  private static final Sql PRUNE =
      Sql.of(
          """
      DELETE FROM coordinator_instances
      WHERE instance_id IN (
          SELECT i.instance_id FROM coordinator_instances i
          WHERE i.last_seen_at < now() - make_interval(secs => :retentionSeconds)
            AND NOT EXISTS (SELECT 1 FROM provers p WHERE p.instance_id = i.instance_id)
          ORDER BY i.last_seen_at
          LIMIT :batch
          FOR UPDATE SKIP LOCKED)
        AND NOT EXISTS (SELECT 1 FROM provers p WHERE p.instance_id = coordinator_instances.instance_id)
      """);

  /** Answers how many instance rows were deleted. */
  public int prune(double retentionSeconds, int batch) {
    return PRUNE
        .on(connection)
        .bind("retentionSeconds", retentionSeconds)
        .bind("batch", batch)
        .update();
  }
}
