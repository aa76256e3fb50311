package zisk.distributed.worker.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;

/**
 * A worker's meters (one registry per worker, passed in): tasks by phase and outcome, task duration
 * by phase, the native prover's readiness and restarts, reconnects, and input downloads. Labels
 * come from small fixed sets; never job or prover ids.
 */
public final class WorkerMetrics {

  private static final List<String> PHASES = List.of("partial_contribution", "prove", "aggregate");

  /** Input download outcomes; anything else is counted as {@code failed}. */
  public static final List<String> DOWNLOAD_OUTCOMES = List.of("ok", "failed", "refused");

  private final MeterRegistry registry;
  private final Counter reconnects;
  private final Counter restarts;
  private final Counter downloadBytes;

  public WorkerMetrics(MeterRegistry registry) {
    this.registry = registry;
    reconnects =
        Counter.builder("zisk.worker.reconnects")
            .description("Sessions opened with ProverReconnectRequest (a job in hand)")
            .register(registry);
    restarts =
        Counter.builder("zisk.worker.native.prover.restarts")
            .description("Times the native prover stopped being ready (killed, crashed, replaced)")
            .register(registry);
    downloadBytes =
        Counter.builder("zisk.worker.input.download.bytes")
            .description("Bytes of job inputs downloaded from the coordinator")
            .baseUnit("bytes")
            .register(registry);
    for (String phase : PHASES) {
      for (String outcome : List.of("succeeded", "failed", "stopped")) {
        tasks(phase, outcome);
      }
      duration(phase);
    }
    DOWNLOAD_OUTCOMES.forEach(this::downloads);
  }

  /** Meters that go nowhere, for tests and tools that run tasks without an endpoint. */
  public static WorkerMetrics discarding() {
    return new WorkerMetrics(new SimpleMeterRegistry());
  }

  /**
   * A task ran to an end (or was stopped) after {@code elapsed}.
   *
   * @param phase the task type's name (PARTIAL_CONTRIBUTION, PROVE, AGGREGATE)
   * @param outcome succeeded, failed or stopped (cancelled; nothing sent)
   */
  public void taskEnded(String phase, String outcome, Duration elapsed) {
    String label = phase.toLowerCase(Locale.ROOT);
    if (!PHASES.contains(label)) {
      return; // an unspecified task type never runs
    }
    tasks(label, outcome).increment();
    duration(label).record(elapsed);
  }

  public void reconnected() {
    reconnects.increment();
  }

  public void nativeProverRestarted() {
    restarts.increment();
  }

  /** Exports the backend's readiness as {@code zisk_worker_prover_ready} (1 or 0). */
  public void readiness(BooleanSupplier ready) {
    Gauge.builder("zisk.worker.prover.ready", () -> ready.getAsBoolean() ? 1 : 0)
        .description("1 while the prover backend is ready to take tasks")
        .register(registry);
  }

  /**
   * Hook for input downloads (GetInput): one call per download.
   *
   * @param outcome ok, failed or refused
   * @param bytes bytes received
   */
  public void inputDownloaded(String outcome, long bytes) {
    String label = outcome.toLowerCase(Locale.ROOT);
    downloads(DOWNLOAD_OUTCOMES.contains(label) ? label : "failed").increment();
    downloadBytes.increment(Math.max(0, bytes));
  }

  private Counter tasks(String phase, String outcome) {
    return Counter.builder("zisk.worker.tasks")
        .description("Tasks this worker ran, by phase and outcome")
        .tags("phase", phase, "outcome", outcome)
        .register(registry);
  }

  private Timer duration(String phase) {
    return Timer.builder("zisk.worker.task.duration")
        .description("How long tasks ran on this worker, by phase")
        .tag("phase", phase)
        .serviceLevelObjectives(
            seconds(0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200))
        .register(registry);
  }

  private Counter downloads(String outcome) {
    return Counter.builder("zisk.worker.input.downloads")
        .description("Job input downloads from the coordinator, by outcome")
        .tag("outcome", outcome)
        .register(registry);
  }

  private static Duration[] seconds(double... values) {
    Duration[] durations = new Duration[values.length];
    for (int i = 0; i < values.length; i++) {
      durations[i] = Duration.ofNanos((long) (values[i] * 1e9));
    }
    return durations;
  }
}
