package zisk.distributed.coordinator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.common.concurrent.DaemonThreads;

/**
 * The coordinator's periodic chores (instance heartbeat, pruning, retention, cluster gauges), off
 * the hot path. Each schedule has a daemon thread of its own: during a database outage a chore may
 * block until its connection times out, and that must never hold back another, above all the
 * instance heartbeat, whose lateness makes the other coordinators judge this one dead. A chore that
 * throws is logged and runs again next period: one bad round must not stop it for good.
 */
final class Housekeeping implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Housekeeping.class);

  private final List<ScheduledExecutorService> executors = new ArrayList<>();

  /** Runs {@code chores}, in order, every {@code period}, the first time one period from now. */
  void every(Duration period, Runnable... chores) {
    schedule(period, period, chores);
  }

  /** Runs {@code chores}, in order, now and then every {@code period}. */
  void nowAndEvery(Duration period, Runnable... chores) {
    schedule(Duration.ZERO, period, chores);
  }

  private synchronized void schedule(Duration first, Duration period, Runnable... chores) {
    ScheduledExecutorService executor =
        Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.named("coordinator-housekeeping-" + (executors.size() + 1)));
    executors.add(executor);
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
  public synchronized void close() {
    executors.forEach(ScheduledExecutorService::shutdownNow);
  }
}
