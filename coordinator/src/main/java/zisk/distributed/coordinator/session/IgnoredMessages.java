package zisk.distributed.coordinator.session;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says at warn, once per message, why a prover's message changed nothing (stale, duplicate, unknown
 * task, wrong phase, forged ids), so that nothing a prover sends is dropped silently. The reasons
 * echo untrusted values only as shortened by SafeText. A stream gets at most {@link #PER_MINUTE}
 * such lines a minute; beyond, lines are counted, and the next line allowed says how many were left
 * out, so that a prover sending garbage cannot flood the log.
 */
public final class IgnoredMessages {

  private static final Logger log = LoggerFactory.getLogger(IgnoredMessages.class);

  /** Warn lines a stream may cause per minute. */
  public static final int PER_MINUTE = 20;

  private static final Duration WINDOW = Duration.ofMinutes(1);

  private final String proverId;
  private final Clock clock;
  private Instant windowStart;
  private int inWindow;
  private long suppressed;

  IgnoredMessages(String proverId, Clock clock) {
    this.proverId = proverId;
    this.clock = clock;
    this.windowStart = clock.instant();
  }

  /** One ignored message of this stream's prover. */
  public synchronized void ignored(String reason) {
    Instant now = clock.instant();
    if (!now.isBefore(windowStart.plus(WINDOW))) {
      windowStart = now;
      inWindow = 0;
    }
    if (inWindow >= PER_MINUTE) {
      suppressed++;
      return;
    }
    inWindow++;
    if (suppressed > 0) {
      log.warn(
          "Prover {}: {} ({} earlier line(s) like this left out by the rate limit)",
          proverId,
          reason,
          suppressed);
      suppressed = 0;
    } else {
      warn(proverId, reason);
    }
  }

  /** One ignored message of a prover without a stream here (it ended meanwhile). */
  public static void warn(String proverId, String reason) {
    log.warn("Prover {}: {}", proverId, reason);
  }
}
