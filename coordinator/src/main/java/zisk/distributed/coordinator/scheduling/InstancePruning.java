package zisk.distributed.coordinator.scheduling;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.coordinator.store.Store;

/**
 * Deletes the {@code coordinator_instances} rows of coordinators gone for longer than the retention
 * (every restart adds one), in small batches. Every coordinator may run it at once.
 */
public final class InstancePruning {

  private static final Logger log = LoggerFactory.getLogger(InstancePruning.class);

  static final int BATCH = 500;

  private final Store store;
  private final Duration retention;

  public InstancePruning(Store store, Duration retention) {
    this.store = store;
    this.retention = retention;
  }

  /** Prunes every instance past the retention that no prover names; answers how many. */
  public int prune() {
    int pruned = 0;
    try {
      int deleted;
      do {
        deleted = store.read(tx -> tx.instances().prune(retention.toMillis() / 1000.0, BATCH));
        pruned += deleted;
      } while (deleted == BATCH);
    } catch (RuntimeException e) {
      log.warn("Could not prune gone coordinator instances: {}", e.getMessage());
    }
    if (pruned > 0) {
      log.info(
          "Pruned {} coordinator instance(s) gone for more than {} h", pruned, retention.toHours());
    }
    return pruned;
  }
}
