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
   * one-off cost of start-up, not what idle provers cost, so the window opens once it is over.
   */
  private static final Duration AFTER_REGISTRATION = Duration.ofSeconds(20);

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
      Waits.pause(window.compareTo(AFTER_REGISTRATION) < 0 ? window : AFTER_REGISTRATION);
      long heartbeats = fleet.heartbeats();
      double percent = cpuPercent(coordinator, window);
      heartbeats = fleet.heartbeats() - heartbeats;
      ChildCoordinator.Heap heap = coordinator.heapAfterGc();
      return new Result(
          provers,
          fleet.channelCount(),
          registration,
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
