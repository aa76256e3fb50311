package zisk.distributed.bench;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The bench's two ways to wait: a measured window of fixed length, and a condition with a deadline.
 */
final class Waits {

  private Waits() {}

  static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted", e);
    }
  }

  /**
   * Polls {@code condition} every {@code every} until it holds; false if {@code deadline} passes
   * first.
   */
  static boolean until(BooleanSupplier condition, Duration every, Duration deadline) {
    long end = System.nanoTime() + deadline.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        return false;
      }
      pause(every);
    }
    return true;
  }
}
