package zisk.distributed.coordinator.config;

import java.time.Duration;

/**
 * How the coordinators sharing one database judge each other alive (README, "Several
 * coordinators"): the {@code [coordinators]} table.
 *
 * @param liveness how stale an instance's row may be before the others take over its provers
 * @param retention how long the row of an instance gone for good is kept before it is pruned
 */
public record InstanceTiming(Duration liveness, Duration retention) {

  /** Shortest liveness: several heartbeats must fit in it. */
  public static final Duration MIN_LIVENESS = Duration.ofSeconds(3);

  /** Declared after MIN_LIVENESS, which its validation reads. */
  public static final InstanceTiming DEFAULT =
      new InstanceTiming(Duration.ofSeconds(30), Duration.ofHours(24));

  /** Heartbeats per liveness window: one or two failed writes never make an instance dead. */
  static final int HEARTBEATS_PER_LIVENESS = 6;

  public InstanceTiming {
    if (liveness.compareTo(MIN_LIVENESS) < 0) {
      throw new IllegalArgumentException("instance liveness must be at least " + MIN_LIVENESS);
    }
    if (retention.compareTo(liveness) <= 0) {
      throw new IllegalArgumentException("instance retention must exceed its liveness");
    }
  }

  /** How often an instance refreshes its row: six times per liveness window (5 s by default). */
  public Duration heartbeat() {
    return liveness.dividedBy(HEARTBEATS_PER_LIVENESS);
  }
}
