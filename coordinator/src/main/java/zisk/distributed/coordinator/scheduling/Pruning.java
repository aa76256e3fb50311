package zisk.distributed.coordinator.scheduling;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.coordinator.store.Store;
import zisk.distributed.coordinator.store.Tx;

/**
 * Deletes rows kept past their retention, in small batches (each its own short statement, so no
 * lock is held long). Every coordinator may run it at once: rows another one is deleting are
 * skipped.
 */
public final class Pruning {

  private static final Logger log = LoggerFactory.getLogger(Pruning.class);

  /** How often pruning runs. */
  public static final Duration PERIOD = Duration.ofMinutes(10);

  static final int BATCH = 500;

  /** One batch: deletes at most {@code limit} rows past the retention; answers how many. */
  interface Batch {
    int delete(Tx tx, double retentionSeconds, int limit);
  }

  private final Store store;
  private final Duration retention;
  private final Batch batch;
  private final String what;

  private Pruning(Store store, Duration retention, Batch batch, String what) {
    this.store = store;
    this.retention = retention;
    this.batch = batch;
    this.what = what;
  }

  /** Provers DISCONNECTED for longer than the retention. */
  public static Pruning provers(Store store, Duration retention) {
    return new Pruning(
        store,
        retention,
        (tx, seconds, limit) -> tx.proverPruning().prune(seconds, limit),
        "prover(s) DISCONNECTED");
  }

  /**
   * The {@code coordinator_instances} rows of coordinators gone for longer than the retention
   * (every restart adds one) that no prover names.
   */
  public static Pruning instances(Store store, Duration retention) {
    return new Pruning(
        store,
        retention,
        (tx, seconds, limit) -> tx.instances().prune(seconds, limit),
        "coordinator instance(s) gone");
  }

  /** Prunes every row past the retention; answers how many. Never throws. */
  public int prune() {
    double seconds = retention.toMillis() / 1000.0;
    int pruned = 0;
    try {
      int deleted;
      do {
        deleted = store.read(tx -> batch.delete(tx, seconds, BATCH));
        pruned += deleted;
      } while (deleted == BATCH);
    } catch (RuntimeException e) {
      log.warn("Could not prune {}: {}", what, e.getMessage());
    }
    if (pruned > 0) {
      log.info("Pruned {} {} for more than {} h", pruned, what, retention.toHours());
    }
    return pruned;
  }
}
