package zisk.distributed.reliability;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Bounded waits. Unlike the coordinator's {@code Await}, a probe may throw (the database or a
 * coordinator is down in the middle of a fault): that counts as "not yet", and the last failure is
 * reported if the deadline passes.
 */
final class Waits {

  private static final Duration POLL = Duration.ofMillis(100);

  private Waits() {}

  static <T> T until(String what, Duration timeout, Supplier<T> probe, Predicate<T> done) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Object last = null;
    while (true) {
      try {
        T seen = probe.get();
        if (done.test(seen)) {
          return seen;
        }
        last = seen;
      } catch (RuntimeException e) {
        last = e;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what
            + "; last seen: " + last);
      }
      pause(POLL);
    }
  }

  static void until(String what, Duration timeout, Supplier<Boolean> condition) {
    until(what, timeout, condition, Boolean.TRUE::equals);
  }

  static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
