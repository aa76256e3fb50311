package zisk.distributed.coordinator.store;

import java.util.UUID;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** The SQL of {@code coordinator_instances}: a coordinator registers, keeps its row fresh, and closes it. */
public interface InstanceDao {

  @SqlUpdate("INSERT INTO coordinator_instances (instance_id, address, version) VALUES (:instanceId, :address, :version)")
  int register(UUID instanceId, String address, String version);

  /** Records the address once the server is bound (the configured port may have been 0). */
  @SqlUpdate("UPDATE coordinator_instances SET address = :address WHERE instance_id = :instanceId")
  int setAddress(UUID instanceId, String address);

  /** Marks the instance alive; 0 rows when its row is gone or it was marked stopped. */
  @SqlUpdate("UPDATE coordinator_instances SET last_seen_at = now() WHERE instance_id = :instanceId AND stopped_at IS NULL")
  int heartbeat(UUID instanceId);

  @SqlUpdate("UPDATE coordinator_instances SET stopped_at = now(), last_seen_at = now() WHERE instance_id = :instanceId")
  int markStopped(UUID instanceId);
}
