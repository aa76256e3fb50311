package zisk.distributed.coordinator.lifecycle;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Whether a launch must count the QUEUED jobs to know the queue has room. Counting reads every
 * queued job (about 1 ms per launch with 10,000 queued, and more before vacuum has run), so it is
 * done only when the queue may be near its bound: when the last count, plus this coordinator's
 * launches since, is within a tenth of the bound (at least one job), or when that count is older
 * than {@link #RECOUNT}. Jobs only leave the queue otherwise, so the estimate errs high. The bound
 * is checked without a lock either way; skipping the count adds, at most, what other coordinators
 * launched in the last {@link #RECOUNT} to the few a count already lets concurrent launches
 * overshoot by.
 */
final class QueueRoom {

  static final Duration RECOUNT = Duration.ofMillis(250);

  private final LongSupplier nanoTime;
  private boolean counted;
  private long countedAt;
  private long queued;
  private long launchedSince;

  QueueRoom(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  QueueRoom() {
    this(System::nanoTime);
  }

  /** Whether the next launch, with a bound of {@code maxQueued}, must count the queue. */
  synchronized boolean mustCount(int maxQueued) {
    return !counted
        || nanoTime.getAsLong() - countedAt >= RECOUNT.toNanos()
        || queued + launchedSince >= maxQueued - Math.max(1, maxQueued / 10);
  }

  /** A launch counted {@code queuedNow} QUEUED jobs. */
  synchronized void counted(long queuedNow) {
    counted = true;
    countedAt = nanoTime.getAsLong();
    queued = queuedNow;
    launchedSince = 0;
  }

  /** A launch created a job. */
  synchronized void launched() {
    launchedSince++;
  }
}
