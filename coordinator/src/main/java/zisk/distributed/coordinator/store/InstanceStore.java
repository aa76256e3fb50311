package zisk.distributed.coordinator.store;

import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** This coordinator's row in {@code coordinator_instances}: registered at start, kept fresh, closed at stop. */
public final class InstanceStore {

  private final Jdbi jdbi;

  public InstanceStore(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  public void register(UUID instanceId, String address, String version) {
    jdbi.useHandle(handle -> handle.createUpdate("""
            INSERT INTO coordinator_instances (instance_id, address, version) VALUES (:id, :address, :version)
            """)
        .bind("id", instanceId)
        .bind("address", address)
        .bind("version", version)
        .execute());
  }

  /** Records the address once the server is bound (the configured port may have been 0). */
  public void setAddress(UUID instanceId, String address) {
    jdbi.useHandle(handle -> handle.createUpdate("UPDATE coordinator_instances SET address = :address WHERE instance_id = :id")
        .bind("address", address).bind("id", instanceId).execute());
  }

  /** Marks the instance alive; answers false if its row is gone or it was marked stopped. */
  public boolean heartbeat(UUID instanceId) {
    return jdbi.withHandle(handle -> handle.createUpdate("""
            UPDATE coordinator_instances SET last_seen_at = now() WHERE instance_id = :id AND stopped_at IS NULL
            """)
        .bind("id", instanceId)
        .execute()) == 1;
  }

  public void markStopped(UUID instanceId) {
    jdbi.useHandle(handle -> handle.createUpdate("""
            UPDATE coordinator_instances SET stopped_at = now(), last_seen_at = now() WHERE instance_id = :id
            """)
        .bind("id", instanceId)
        .execute());
  }
}
