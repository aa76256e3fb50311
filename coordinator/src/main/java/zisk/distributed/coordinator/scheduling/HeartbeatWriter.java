package zisk.distributed.coordinator.scheduling;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.coordinator.store.ProverDao.Touched;
import zisk.distributed.coordinator.store.Store;

/**
 * Batches heartbeat acknowledgements: an ack only marks the prover in memory, and one statement a
 * flush writes them all, so a thousand provers cost one commit per flush, not a thousand.
 */
public final class HeartbeatWriter {

  private static final Logger log = LoggerFactory.getLogger(HeartbeatWriter.class);

  private final Store store;
  private final UUID instanceId;
  private final Set<String> pending = ConcurrentHashMap.newKeySet();

  public HeartbeatWriter(Store store, UUID instanceId) {
    this.store = store;
    this.instanceId = instanceId;
  }

  public void ack(String proverId) {
    pending.add(proverId);
  }

  /** Writes the acks gathered since the last flush; answers how many it wrote. */
  public int flush() {
    if (pending.isEmpty()) {
      return 0;
    }
    List<String> batch = new ArrayList<>(pending);
    pending.removeAll(batch);
    try {
      Touched touched =
          store.read(tx -> tx.provers().touch(batch.toArray(String[]::new), instanceId));
      // Provers in a transition right now: refreshed on the next flush.
      pending.addAll(touched.skipped());
      return touched.written();
    } catch (RuntimeException e) {
      // The database is away; keep the acks for the next flush.
      pending.addAll(batch);
      log.debug("Heartbeat flush failed: {}", e.getMessage());
      return 0;
    }
  }
}
