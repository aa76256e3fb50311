package zisk.distributed.bench;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import zisk.distributed.common.logging.LoggingSetup;

/**
 * {@code zisk bench}: one run that measures a coordinator the way the design's budgets are written
 * (DESIGN.md section 8) and prints every figure next to the database's single-row durable commit
 * rate measured in the same run. Exit status 0 whatever the figures; 1 if it could not run.
 */
@Command(
    name = "bench",
    sortOptions = false,
    description = {
      "Benchmarks a coordinator: starts one in its own JVM (-Xmx512m, C1 only) on a",
      "fresh database, connects zero-work provers over real sockets and prints, in",
      "one run:",
      "  commit      the database's single-row durable commit rate (one connection,",
      "              autocommit): the reference every other figure is compared with;",
      "  launch      LaunchProof sent -> first task received, one job at a time;",
      "  transition  last result of a phase sent -> first task of the next phase;",
      "  throughput  tasks/s with N one-unit provers and M two-rank jobs in flight;",
      "  idle        the coordinator's CPU (%% of one core) and heap after a full GC",
      "              with K idle provers connected.",
      "Each figure comes with its budget, PASS or FAIL, and its ratio to one commit.",
      "Exit status 0 whatever the figures, 1 if the bench could not run. Timings are",
      "noisy when other work shares the machine."
    })
public final class BenchCommand implements Callable<Integer> {

  static final List<String> SECTIONS =
      List.of("commit", "launch", "transition", "throughput", "idle");

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help and exit.")
  boolean help;

  @Option(
      names = "--database-url",
      paramLabel = "URL",
      description = {
        "PostgreSQL server to run on (jdbc:postgresql://host:5432/db?user=u or postgresql://user@host:5432/db);",
        "the bench creates a database zisk_bench_<random> there and drops it at the end.",
        "Default: an embedded PostgreSQL in a temporary directory (fsync and synchronous_commit on)."
      })
  String databaseUrl;

  @Option(
      names = "--provers",
      defaultValue = "32",
      paramLabel = "N",
      description = "One-unit provers for the throughput section (default: ${DEFAULT-VALUE}).")
  int provers;

  @Option(
      names = "--jobs-in-flight",
      defaultValue = "128",
      paramLabel = "N",
      description =
          "Two-rank jobs kept launched during the throughput section (default: ${DEFAULT-VALUE}).")
  int jobsInFlight;

  @Option(
      names = "--seconds",
      defaultValue = "10",
      paramLabel = "S",
      description = "Throughput window, after the warm-up (default: ${DEFAULT-VALUE}).")
  int seconds;

  @Option(
      names = "--warmup-seconds",
      defaultValue = "8",
      paramLabel = "S",
      description = "Throughput warm-up before the window (default: ${DEFAULT-VALUE}).")
  int warmupSeconds;

  @Option(
      names = "--latency-jobs",
      defaultValue = "200",
      paramLabel = "N",
      description =
          "Jobs run one at a time for the launch and transition latencies, after 300 unmeasured ones (the JIT warms up), or as many as measured if fewer (default: ${DEFAULT-VALUE}).")
  int latencyJobs;

  @Option(
      names = "--idle-provers",
      defaultValue = "2000",
      paramLabel = "N",
      description = "Idle provers connected for the idle section (default: ${DEFAULT-VALUE}).")
  int idleProvers;

  @Option(
      names = "--idle-seconds",
      defaultValue = "20",
      paramLabel = "S",
      description =
          "Idle CPU window, measured once with the idle provers connected and once without (default: ${DEFAULT-VALUE}).")
  int idleSeconds;

  @Option(
      names = "--commit-seconds",
      defaultValue = "3",
      paramLabel = "S",
      description = "Length of the commit-rate loop (default: ${DEFAULT-VALUE}).")
  int commitSeconds;

  @Option(
      names = "--skip",
      split = ",",
      paramLabel = "SECTION",
      description =
          "Sections to leave out, comma-separated: commit, launch, transition, throughput, idle.")
  List<String> skip = new ArrayList<>();

  @Option(
      names = "--keep-database",
      description = "Keep the zisk_bench_* database afterwards (external server only).")
  boolean keepDatabase;

  @Option(
      names = "--coordinator-opts",
      paramLabel = "OPTS",
      description =
          "Extra JVM options for the coordinator's JVM, space-separated (after -Xmx512m"
              + " -XX:TieredStopAtLevel=1, so they win).")
  String coordinatorOpts = "";

  private final PrintStream out;

  public BenchCommand() {
    this(System.out);
  }

  BenchCommand(PrintStream out) {
    this.out = out;
  }

  /**
   * Runs the bench without the rest of {@code ./zisk}: {@code java -cp ...
   * zisk.distributed.bench.BenchCommand}.
   */
  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchCommand()).execute(args));
  }

  @Override
  public Integer call() {
    Set<String> skipped = new LinkedHashSet<>();
    for (String section : skip) {
      if (!SECTIONS.contains(section.trim())) {
        System.err.println(
            "zisk bench: unknown section '" + section + "' in --skip; sections: " + SECTIONS);
        return 2;
      }
      skipped.add(section.trim());
    }
    String invalid = validate();
    if (invalid != null) {
      System.err.println("zisk bench: " + invalid);
      return 2;
    }
    LoggingSetup.configure("warn", "compact", null);
    Report report = new Report(out);
    try (BenchDatabase database = BenchDatabase.create(databaseUrl, keepDatabase)) {
      report.line(
          "ZisK coordinator benchmark: "
              + database.describe()
              + ", "
              + Runtime.getRuntime().availableProcessors()
              + " CPUs, load average "
              + String.format(
                  "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage())
              + " at start");
      if (!skipped.contains("commit")) {
        report.commit(CommitRate.measure(database.jdbcUrl(), Duration.ofSeconds(commitSeconds)));
      }
      try (ChildCoordinator coordinator =
          ChildCoordinator.start(database.jdbcUrl(), jvmOptions())) {
        report.line(
            String.format(
                "%-28s %s, pid %d on port %d, %s%s, database %s%s",
                "coordinator",
                coordinator.version(),
                coordinator.pid(),
                coordinator.port(),
                String.join(" ", ChildCoordinator.JVM_OPTIONS),
                coordinatorOpts.isBlank() ? "" : " " + coordinatorOpts.trim(),
                database.name(),
                keepDatabase && !database.isEmbedded() ? " (kept)" : ""));
        run(coordinator, skipped, report);
      }
      report.summary();
      return 0;
    } catch (BenchException e) {
      out.flush();
      System.err.println("zisk bench: " + e.getMessage());
      return 1;
    }
  }

  private void run(ChildCoordinator coordinator, Set<String> skipped, Report report) {
    boolean launch = !skipped.contains("launch");
    boolean transition = !skipped.contains("transition");
    if (launch || transition) {
      LatencyRun.Result latency = LatencyRun.run(coordinator, latencyJobs);
      if (launch) {
        report.launch(latency);
      }
      if (transition) {
        report.transition(latency);
      }
    }
    if (!skipped.contains("throughput")) {
      report.throughput(
          Throughput.run(
              coordinator,
              provers,
              jobsInFlight,
              Duration.ofSeconds(warmupSeconds),
              Duration.ofSeconds(seconds)));
    }
    if (!skipped.contains("idle")) {
      report.idle(IdleCost.run(coordinator, idleProvers, Duration.ofSeconds(idleSeconds)));
    }
    coordinator.checkAlive();
  }

  private String validate() {
    if (provers < 2) {
      return "--provers must be at least 2 (every job has two ranks)";
    }
    if (jobsInFlight < 1 || latencyJobs < 1 || idleProvers < 1) {
      return "--jobs-in-flight, --latency-jobs and --idle-provers must be at least 1";
    }
    if (seconds < 1 || idleSeconds < 1 || commitSeconds < 1 || warmupSeconds < 0) {
      return "--seconds, --idle-seconds and --commit-seconds must be at least 1, --warmup-seconds at least 0";
    }
    return null;
  }

  private List<String> jvmOptions() {
    return coordinatorOpts.isBlank() ? List.of() : List.of(coordinatorOpts.trim().split("\\s+"));
  }
}
