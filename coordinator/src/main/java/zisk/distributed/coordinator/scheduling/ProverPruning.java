package zisk.distributed.coordinator.scheduling;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.coordinator.store.Store;

/**
 * Deletes provers DISCONNECTED for longer than the retention period, in small batches (each its own
 * short statement, so no lock is held long). Every coordinator may run it: rows another one is
 * deleting are skipped.
 */
public final class ProverPruning {

  private static final Logger log = LoggerFactory.getLogger(ProverPruning.class);

  /** How often pruning runs. */
  public static final Duration PERIOD = Duration.ofMinutes(10);

  static final int BATCH = 500;

  private final Store store;
  private final Duration retention;

  public ProverPruning(Store store, Duration retention) {
    this.store = store;
    this.retention = retention;
  }

  /** Prunes every prover past the retention; answers how many. Never throws. */
  public int prune() {
    int pruned = 0;
    try {
      int deleted;
      do {
        deleted = store.read(tx -> tx.proverPruning().prune(retention.toMillis() / 1000.0, BATCH));
        pruned += deleted;
      } while (deleted == BATCH);
    } catch (RuntimeException e) {
      log.warn("Could not prune disconnected provers: {}", e.getMessage());
    }
    if (pruned > 0) {
      log.info("Pruned {} prover(s) DISCONNECTED for more than {} h", pruned, retention.toHours());
    }
    return pruned;
  }
}
