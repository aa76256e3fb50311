package zisk.distributed.coordinator;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.common.concurrent.DaemonThreads;

/**
 * The coordinator's periodic chores (instance heartbeat, pruning, and what else runs on a timer off
 * the hot path), on one daemon thread. A chore that throws is logged and runs again next period:
 * one bad round must not stop it for good.
 */
final class Housekeeping implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Housekeeping.class);

  private final ScheduledExecutorService executor =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("coordinator-housekeeping"));

  /** Runs {@code chores}, in order, every {@code period}, the first time one period from now. */
  void every(Duration period, Runnable... chores) {
    schedule(period, period, chores);
  }

  /** Runs {@code chores}, in order, now and then every {@code period}. */
  void nowAndEvery(Duration period, Runnable... chores) {
    schedule(Duration.ZERO, period, chores);
  }

  private void schedule(Duration first, Duration period, Runnable... chores) {
    executor.scheduleWithFixedDelay(
        () -> {
          for (Runnable chore : chores) {
            try {
              chore.run();
            } catch (RuntimeException e) {
              log.warn("housekeeping chore failed; it runs again next period", e);
            }
          }
        },
        first.toMillis(),
        period.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
