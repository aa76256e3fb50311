package zisk.distributed.bench;

import java.time.Duration;

/**
 * What connected but idle provers cost the coordinator: its CPU over a window with M provers
 * connected (each acknowledging heartbeats), next to the same window with none of the bench's
 * provers connected, and its heap in use after a full GC with the M provers still connected.
 */
final class IdleCost {

  record Result(
      int provers,
      int channels,
      Duration registration,
      int rateLimited,
      double baselinePercent,
      double percent,
      long heartbeats,
      Duration window,
      boolean everyProverHeartbeated,
      ChildCoordinator.Heap heap,
      long rssMib,
      String anomalies) {}

  private static final Duration SETTLE = Duration.ofSeconds(5);

  /**
   * After the connect burst the JIT compiles the paths it just took for seconds on end; that is a
   * one-off cost of start-up, not what idle provers cost, so the window opens once the CPU rate of
   * consecutive slices has settled (or after {@link #SETTLE_LIMIT} at most).
   */
  private static final Duration SLICE = Duration.ofSeconds(5);

  private static final Duration SETTLE_LIMIT = Duration.ofSeconds(90);

  private IdleCost() {}

  static Result run(ChildCoordinator coordinator, int provers, Duration window) {
    // What the earlier sections left behind (compilation, sweeps of their provers) winds down
    // first.
    Waits.pause(window.compareTo(SETTLE) < 0 ? window : SETTLE);
    double baseline = cpuPercent(coordinator, window);
    long connecting = System.nanoTime();
    try (ProverFleet fleet =
        ProverFleet.connect(
            coordinator.host(),
            coordinator.port(),
            "idle",
            provers,
            1,
            ProverEvents.NONE,
            Duration.ofSeconds(300))) {
      Duration registration = Duration.ofNanos(System.nanoTime() - connecting);
      // Settled: every prover has been through the coordinator's heartbeat round at least once.
      boolean everyone =
          Waits.until(
              fleet::everyProverHadAHeartbeat, Duration.ofMillis(100), Duration.ofSeconds(60));
      settle(coordinator);
      long heartbeats = fleet.heartbeats();
      double percent = cpuPercent(coordinator, window);
      heartbeats = fleet.heartbeats() - heartbeats;
      ChildCoordinator.Heap heap = coordinator.heapAfterGc();
      return new Result(
          provers,
          fleet.channelCount(),
          registration,
          fleet.rateLimited(),
          baseline,
          percent,
          heartbeats,
          window,
          everyone,
          heap,
          coordinator.residentMib(),
          fleet.anomalies());
    }
  }

  /** Waits until two consecutive slices cost about the same CPU (within 1 % of a core or 20 %). */
  private static void settle(ChildCoordinator coordinator) {
    long deadline = System.nanoTime() + SETTLE_LIMIT.toNanos();
    double previous = cpuPercent(coordinator, SLICE);
    while (System.nanoTime() < deadline) {
      double current = cpuPercent(coordinator, SLICE);
      if (Math.abs(current - previous) <= Math.max(1.0, 0.2 * previous)) {
        return;
      }
      previous = current;
    }
  }

  /** The coordinator's CPU time over {@code window} as a percentage of one core. */
  static double cpuPercent(ChildCoordinator coordinator, Duration window) {
    Duration cpu0 = coordinator.cpuTime();
    long start = System.nanoTime();
    Waits.pause(window);
    Duration cpu1 = coordinator.cpuTime();
    long wall = System.nanoTime() - start;
    return cpu1.minus(cpu0).toNanos() * 100.0 / wall;
  }
}
