package zisk.distributed.common.concurrent;

import java.time.Duration;
import java.util.Random;

/**
 * Capped exponential back-off with "equal jitter": the n-th delay (from 0) is drawn uniformly from
 * {@code [c/2, c)} where {@code c = min(cap, base * 2^n)}.
 *
 * <p>Half of every delay is random so that a fleet of workers that lost the same coordinator (or
 * coordinators that lost the same database) does not come back in lock-step; the other half is
 * fixed so that nothing retries in a hot loop. The worker's connection loop and the coordinator's
 * notification listener both pace their reconnects with it. Not thread-safe by design: one retry
 * loop owns it.
 */
public final class Backoff {

  private final long baseNanos;
  private final long capNanos;
  private final Random random;
  private int attempt;

  /**
   * @param base the first ceiling (the worker's {@code connection.reconnect_interval_seconds})
   * @param cap the largest ceiling; at least {@code base}
   * @param random the source of jitter (seed it in tests)
   */
  public Backoff(Duration base, Duration cap, Random random) {
    if (base.isNegative() || base.isZero() || cap.compareTo(base) < 0) {
      throw new IllegalArgumentException(
          "back-off needs 0 < base <= cap, got " + base + " and " + cap);
    }
    this.baseNanos = base.toNanos();
    this.capNanos = cap.toNanos();
    this.random = random;
  }

  /** The next delay; each call raises the ceiling until it reaches the cap. */
  public Duration nextDelay() {
    long ceiling = ceiling(attempt);
    if (ceiling < capNanos) {
      attempt++;
    }
    long half = ceiling / 2;
    long jitter = (long) (random.nextDouble() * (ceiling - half));
    return Duration.ofNanos(half + jitter);
  }

  /**
   * Back to the first delay, after a retry succeeded (a session was accepted, a connection opened).
   */
  public void reset() {
    attempt = 0;
  }

  /** The ceiling of the n-th delay, {@code min(cap, base * 2^n)} without overflow. */
  long ceiling(int n) {
    long ceiling = baseNanos;
    for (int i = 0; i < n && ceiling < capNanos; i++) {
      ceiling = ceiling > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : ceiling * 2;
    }
    return Math.min(ceiling, capNanos);
  }
}
