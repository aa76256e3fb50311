package zisk.distributed.coordinator.scheduling;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.coordinator.store.Store;

/**
 * Deletes uploaded inputs unused for the retention period that no QUEUED or RUNNING job needs, and
 * the chunks of uploads that broke without cleaning up. Every coordinator may run it: the
 * statements are idempotent, and a launch racing a deletion wins (see InputDao#expire).
 */
public final class InputRetention {

  private static final Logger log = LoggerFactory.getLogger(InputRetention.class);

  /** How often the chore runs. */
  public static final Duration PERIOD = Duration.ofMinutes(10);

  /** How long a pending upload may sit idle before it counts as broken. */
  static final Duration MAX_UPLOAD_IDLE = Duration.ofHours(1);

  private final Store store;
  private final Duration retention;

  public InputRetention(Store store, Duration retention) {
    this.store = store;
    this.retention = retention;
  }

  /** Deletes what is past its time; answers the inputs deleted. Never throws. */
  public int expire() {
    try {
      int inputs = store.read(tx -> tx.inputs().expire(retention));
      // An expired input's bytes have been idle at least since its last use.
      Duration idle = retention.compareTo(MAX_UPLOAD_IDLE) < 0 ? retention : MAX_UPLOAD_IDLE;
      int uploads = store.read(tx -> tx.inputs().dropOrphans(idle));
      if (inputs > 0 || uploads > 0) {
        log.info(
            "Deleted {} uploaded input(s) unused for {} h; {} upload(s) freed",
            inputs,
            retention.toHours(),
            uploads);
      }
      return inputs;
    } catch (RuntimeException e) {
      log.warn("Could not delete expired inputs: {}", e.getMessage());
      return 0;
    }
  }
}
