package zisk.distributed.coordinator.scheduling;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.coordinator.config.InstanceTiming;
import zisk.distributed.coordinator.store.Store;

/**
 * Keeps this coordinator's {@code coordinator_instances} row fresh, and says whether this
 * coordinator may judge another one dead from the staleness of its row.
 *
 * <p>Only a coordinator whose own heartbeats have succeeded without a break for a whole liveness
 * window may judge: after a PostgreSQL outage every row is equally stale, and the first coordinator
 * back must not take it for the death of all the others (re-queuing their work). Once every
 * coordinator has written its row again, only a really dead one still looks dead. A coordinator cut
 * off alone from the database cannot judge at all, so it takes nothing over; the others, in touch
 * all along, judge it dead after the liveness window.
 */
public final class InstanceHeartbeat {

  private static final Logger log = LoggerFactory.getLogger(InstanceHeartbeat.class);

  /** Heartbeats that may be missed before the link to the database counts as broken. */
  private static final int MISSED_BEATS = 3;

  private final Store store;
  private final UUID instanceId;
  private final InstanceTiming timing;
  private final Clock clock;
  private volatile Instant lastWritten;
  private volatile Instant unbrokenSince;
  private volatile boolean rowMissing;

  /**
   * @param registeredAt when the row was registered: the first write, after which this coordinator
   *     may judge at once (it was not there to see an outage)
   */
  public InstanceHeartbeat(
      Store store, UUID instanceId, InstanceTiming timing, Clock clock, Instant registeredAt) {
    this.store = store;
    this.instanceId = instanceId;
    this.timing = timing;
    this.clock = clock;
    this.lastWritten = registeredAt;
    this.unbrokenSince = registeredAt.minus(timing.liveness());
  }

  /** How often {@link #beat()} is to run. */
  public Duration period() {
    return timing.heartbeat();
  }

  /** Refreshes the row; answers whether it was written. Never throws. */
  public boolean beat() {
    try {
      if (store.read(tx -> tx.instances().heartbeat(instanceId, timing.heartbeat())) == 0) {
        if (!rowMissing) {
          log.error(
              "Instance row {} is missing or marked stopped: other coordinators treat this one as"
                  + " gone",
              instanceId);
        }
        rowMissing = true;
        return false;
      }
    } catch (RuntimeException e) {
      log.debug("Instance heartbeat failed: {}", e.getMessage());
      return false;
    }
    rowMissing = false;
    Instant now = clock.instant();
    if (broken(now)) {
      unbrokenSince = now;
      log.warn(
          "Instance heartbeat written again after {} ms without; judging other coordinators only"
              + " after {} s in touch",
          Duration.between(lastWritten, now).toMillis(),
          timing.liveness().toSeconds());
    }
    lastWritten = now;
    return true;
  }

  /**
   * Whether this coordinator has been in touch with the database without a break for a whole
   * liveness window, up to now.
   */
  public boolean mayJudgeOthers() {
    Instant now = clock.instant();
    return !broken(now) && !unbrokenSince.isAfter(now.minus(timing.liveness()));
  }

  private boolean broken(Instant now) {
    return lastWritten.isBefore(now.minus(timing.heartbeat().multipliedBy(MISSED_BEATS)));
  }
}
