package zisk.distributed.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The bench's output: one line (or a few) per section as soon as it finishes, then a summary table
 * with each figure, its budget, PASS or FAIL, and its ratio to the database's single-row commit,
 * the physical limit that makes the figures comparable across machines.
 */
final class Report {

  static final double LAUNCH_P50_MS = 5;
  static final double TRANSITION_P50_MS = 2;
  static final double TRANSITION_P99_MS = 10;
  static final double TASKS_PER_SECOND = 2000;
  static final double IDLE_PERCENT = 5;
  static final long IDLE_HEAP_MIB = 512;

  private record Row(String figure, String measured, String budget, String verdict, String ratio) {}

  private static final String ROW = "%-44s %-28s %-27s %-7s %s";

  private final PrintStream out;
  private final List<Row> rows = new ArrayList<>();
  private CommitRate.Result commit;

  Report(PrintStream out) {
    this.out = out;
  }

  void line(String text) {
    out.println(text);
    out.flush();
  }

  private void section(String name, String text) {
    line(String.format("%-28s %s", name, text));
  }

  void commit(CommitRate.Result result) {
    commit = result;
    section("single-row durable commit", result.line());
    rows.add(
        new Row(
            "single-row durable commit",
            String.format("%.0f commits/s, %.2f ms", result.perSecond(), result.meanMillis()),
            "(the reference)",
            "",
            "1"));
  }

  void launch(LatencyRun.Result result) {
    Percentiles launch = result.launch();
    section(
        "launch -> first task",
        launch.summary()
            + "   ("
            + launch.count()
            + " jobs after "
            + result.warmUpJobs()
            + " warm-up, one at a time)"
            + anomalies(result.anomalies()));
    rows.add(
        new Row(
            "launch -> first task",
            both(launch),
            "p50 <= " + ms(LAUNCH_P50_MS),
            verdict(launch.p50() <= LAUNCH_P50_MS * 1e6),
            commits(launch.p50())));
  }

  void transition(LatencyRun.Result result) {
    Percentiles all = result.transitions();
    section(
        "phase transition",
        all.summary()
            + "   ("
            + all.count()
            + " transitions, one job at a time)"
            + anomalies(result.anomalies()));
    section("  contribution -> prove", result.toProve().summary());
    section("  prove -> aggregate", result.toAggregate().summary());
    rows.add(
        new Row(
            "phase transition",
            both(all),
            "p50 <= " + ms(TRANSITION_P50_MS) + ", p99 <= " + ms(TRANSITION_P99_MS),
            verdict(all.p50() <= TRANSITION_P50_MS * 1e6 && all.p99() <= TRANSITION_P99_MS * 1e6),
            commits(all.p50())));
  }

  void throughput(Throughput.Result result) {
    section(
        "throughput",
        String.format(
                "%.0f tasks/s, %.0f jobs/s   (%d provers, %d jobs in flight, %d tasks in %.1f s%s)",
                result.tasksPerSecond(),
                result.jobsPerSecond(),
                result.provers(),
                result.jobsInFlight(),
                result.tasks(),
                result.nanos() / 1e9,
                result.launchErrors() > 0 ? ", " + result.launchErrors() + " launch errors" : "")
            + anomalies(result.anomalies()));
    rows.add(
        new Row(
            "throughput ("
                + result.provers()
                + " provers, "
                + result.jobsInFlight()
                + " jobs in flight)",
            String.format(
                "%.0f tasks/s (%.0f jobs/s)", result.tasksPerSecond(), result.jobsPerSecond()),
            String.format(">= %.0f tasks/s", TASKS_PER_SECOND),
            verdict(result.tasksPerSecond() >= TASKS_PER_SECOND),
            commit == null
                ? ""
                : String.format(
                    "%.2f x commit rate", result.tasksPerSecond() / commit.perSecond())));
  }

  void idle(IdleCost.Result result) {
    ChildCoordinator.Heap heap = result.heap();
    section(
        "idle",
        String.format(
                "%.1f %% of a core with %d provers, %.1f %% with none   (%d s windows; %d"
                    + " heartbeats acknowledged; %d streams over %d connections, registered in %.1f s%s%s)",
                result.percent(),
                result.provers(),
                result.baselinePercent(),
                result.window().toSeconds(),
                result.heartbeats(),
                result.provers(),
                result.channels(),
                result.registration().toMillis() / 1e3,
                result.rateLimited() == 0
                    ? ""
                    : " ("
                        + result.rateLimited()
                        + " refused by the registration rate limit, retried)",
                result.everyProverHeartbeated()
                    ? ""
                    : "; not every prover had a heartbeat before the window")
            + anomalies(result.anomalies()));
    section(
        "  memory",
        String.format(
            "heap %d MiB in use after a full GC, max %d MiB%s",
            heap.usedMib(),
            heap.maxMib(),
            result.rssMib() < 0 ? "" : "; resident " + result.rssMib() + " MiB"));
    rows.add(
        new Row(
            "idle CPU, " + result.provers() + " provers",
            String.format("%.1f %% of a core", result.percent()),
            String.format("<= %.0f %%", IDLE_PERCENT),
            verdict(result.percent() <= IDLE_PERCENT),
            ""));
    rows.add(
        new Row(
            "idle heap, " + result.provers() + " provers",
            heap.usedMib() + " MiB of " + heap.maxMib() + " MiB",
            "<= " + IDLE_HEAP_MIB + " MiB",
            verdict(heap.usedMib() <= IDLE_HEAP_MIB),
            ""));
  }

  void summary() {
    line("");
    out.println(
        String.format(ROW, "figure", "measured", "budget", "result", "vs. one commit").strip());
    for (Row row : rows) {
      out.println(
          String.format(ROW, row.figure(), row.measured(), row.budget(), row.verdict(), row.ratio())
              .strip());
    }
    out.flush();
  }

  private static String both(Percentiles percentiles) {
    return "p50 "
        + Percentiles.millis(percentiles.p50())
        + ", p99 "
        + Percentiles.millis(percentiles.p99());
  }

  private static String ms(double millis) {
    return String.format("%.0f ms", millis);
  }

  private static String verdict(boolean pass) {
    return pass ? "PASS" : "FAIL";
  }

  /** A latency as a number of single-row commits: {@code p50 = 3.4 commits}. */
  private String commits(long nanos) {
    return commit == null
        ? ""
        : String.format("p50 = %.1f commits", nanos / 1e6 / commit.meanMillis());
  }

  private static String anomalies(String anomalies) {
    return anomalies.isEmpty() ? "" : "   WARNING: " + anomalies;
  }
}
