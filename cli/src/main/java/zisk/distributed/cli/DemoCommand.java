package zisk.distributed.cli;

import io.grpc.InsecureChannelCredentials;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jdbi.v3.core.Jdbi;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import zisk.distributed.api.v1.FinalProofList;
import zisk.distributed.api.v1.JobStatus;
import zisk.distributed.api.v1.LaunchProofRequest;
import zisk.distributed.api.v1.SystemStatus;
import zisk.distributed.api.v1.SystemStatusRequest;
import zisk.distributed.client.Coordinators;
import zisk.distributed.client.ProofFetch;
import zisk.distributed.client.ProofFiles;
import zisk.distributed.client.ProofLaunch;
import zisk.distributed.common.inputs.InputFiles;
import zisk.distributed.common.logging.LoggingSetup;
import zisk.distributed.coordinator.CoordinatorServer;
import zisk.distributed.coordinator.config.CoordinatorConfig;
import zisk.distributed.coordinator.store.Database;
import zisk.distributed.reference.ReferenceInput;
import zisk.distributed.reference.ReferenceVerifier;
import zisk.distributed.reference.VerificationResult;
import zisk.distributed.worker.Worker;
import zisk.distributed.worker.config.WorkerConfig;
import zisk.distributed.worker.config.WorkerSettings;
import zisk.distributed.worker.connection.Channels;
import zisk.distributed.worker.connection.CoordinatorEndpoint;
import zisk.distributed.worker.prover.reference.ReferenceProverBackend;

/**
 * {@code zisk demo}: a whole cluster in one process. An embedded-database coordinator and N workers
 * (each with the reference prover) over real local sockets; one proof launched through the API,
 * followed phase by phase, fetched with GetProof and verified from its input.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a coordinator (embedded PostgreSQL) and workers in this process, proves one reference",
      "input end to end, prints its progress and history, saves and verifies the final proof.",
      "Exit status 0 when the proof verifies."
    })
public final class DemoCommand implements Callable<Integer> {

  @Option(
      names = "--workers",
      defaultValue = "2",
      paramLabel = "N",
      description = "Workers to start (default: ${DEFAULT-VALUE}).")
  int workers;

  @Option(
      names = "--lanes",
      defaultValue = "16",
      paramLabel = "L",
      description = "Hash chains in the input (default: ${DEFAULT-VALUE}).")
  int lanes;

  @Option(
      names = "--steps",
      defaultValue = "1500000",
      paramLabel = "S",
      description = "Steps per chain (default: ${DEFAULT-VALUE}, about ten seconds on two cores).")
  long steps;

  @Option(
      names = "--output-dir",
      defaultValue = "zisk-demo",
      paramLabel = "DIR",
      description = "Where the input, the proof and the log go (default: ./${DEFAULT-VALUE}).")
  Path outputDir;

  @Option(
      names = "--timeout",
      defaultValue = "600",
      paramLabel = "SECONDS",
      description = "Give up after this long (default: ${DEFAULT-VALUE}).")
  long timeoutSeconds;

  private final PrintStream out = System.out;

  @Override
  public Integer call() throws Exception {
    if (workers < 1 || workers > 64) {
      System.err.println("zisk demo: --workers must be between 1 and 64");
      return 2;
    }
    ReferenceInput input;
    try {
      input = ReferenceInput.withRandomSeed(lanes, steps);
    } catch (IllegalArgumentException e) {
      System.err.println("zisk demo: " + e.getMessage());
      return 2;
    }
    Files.createDirectories(outputDir);
    Path inputFile = outputDir.resolve("input.toml").toAbsolutePath();
    Path proofFile = outputDir.resolve("proof.bin").toAbsolutePath();
    Path logFile = outputDir.resolve("demo.log").toAbsolutePath();
    input.write(inputFile);
    LoggingSetup.configure("info", "compact", logFile.toString());

    Path dataDir = Files.createTempDirectory("zisk-demo-postgres");
    CoordinatorConfig local =
        CoordinatorConfig.local("unused")
            .withDatabase(Optional.empty(), dataDir, Duration.ofSeconds(3));
    // The coordinator verifies the final proof against the input where the workers read it.
    CoordinatorConfig config =
        local.withProofVerification(
            local.proofs().withInputsDirs(List.of(outputDir.toAbsolutePath())));
    int unitsPerWorker = Math.max(1, Runtime.getRuntime().availableProcessors() / workers);
    out.printf(
        "ZisK demo: a coordinator on an embedded PostgreSQL and %d worker(s) with the reference prover%n",
        workers);
    out.printf(
        "  input     %s (%d lanes x %,d steps)%n  log       %s%n",
        inputFile, lanes, steps, logFile);

    Database database = Database.open(config);
    CoordinatorServer coordinator = CoordinatorServer.onConfiguredPort(config, database);
    List<Worker> cluster = new ArrayList<>();
    Coordinators coordinators = null;
    try {
      coordinator.start();
      String url = "http://127.0.0.1:" + coordinator.port();
      for (int i = 1; i <= workers; i++) {
        Worker worker =
            new Worker(
                workerConfig(url, "demo-worker-" + i, unitsPerWorker),
                new ReferenceProverBackend());
        worker.start();
        cluster.add(worker);
      }
      out.printf(
          "  cluster   coordinator at %s, %d worker(s) x %d compute unit(s)%n%n",
          url, workers, unitsPerWorker);

      coordinators =
          new Coordinators(
              List.of(url),
              List.of(CoordinatorEndpoint.parse(url)),
              endpoint -> Channels.open(endpoint, InsecureChannelCredentials.create()));
      awaitWorkers(coordinators);
      String jobId =
          new ProofLaunch(coordinators)
              .send(
                  LaunchProofRequest.newBuilder()
                      .setBlockId("demo-block-" + input.seedHex().substring(0, 8))
                      .setComputeCapacity(unitsPerWorker * workers)
                      .setInputPath(inputFile.toString())
                      .setClientRequestId(UUID.randomUUID().toString())
                      .build());
      out.println("Launched job " + jobId);

      PrintWriter writer = new PrintWriter(out, true);
      JobStatus finished = WatchCommand.follow(coordinators, jobId, false, writer, writer);
      writer.flush();
      out.println();
      printHistory(database.jdbi(), jobId);
      if (!"COMPLETED".equals(finished.getState())) {
        out.println(
            "The job ended " + finished.getState() + ": " + finished.getError().getMessage());
        return 1;
      }

      FinalProofList finalProof = new ProofFetch(coordinators).fetch(jobId);
      ProofFiles.write(proofFile, finalProof);
      VerificationResult verdict =
          ReferenceVerifier.verify(ReferenceInput.read(inputFile), finalProof);
      out.printf("%nFinal proof  %s (%,d bytes)%n", proofFile, finalProof.getSerializedSize());
      out.println(
          "Verification "
              + (verdict.valid() ? "OK: " + verdict.summary() : "FAILED: " + verdict.reason()));
      out.printf("Check it again with: ./zisk verify --input %s %s%n", inputFile, proofFile);
      return verdict.valid() ? 0 : 1;
    } finally {
      if (coordinators != null) {
        coordinators.close();
      }
      for (Worker worker : cluster) {
        worker.stop(Duration.ofSeconds(2));
      }
      coordinator.stop();
      database.close();
      deleteRecursively(dataDir);
    }
  }

  private WorkerConfig workerConfig(String url, String proverId, int units) {
    return new WorkerConfig(
            List.of(CoordinatorEndpoint.parse(url)),
            proverId,
            units,
            "reference",
            Duration.ofMillis(200),
            Duration.ofSeconds(5),
            Duration.ofSeconds(30),
            WorkerConfig.Logging.defaults())
        // The workers read inputs only where the demo writes them.
        .withInputs(
            new InputFiles(
                List.of(outputDir.toAbsolutePath()), WorkerSettings.DEFAULT_MAX_INPUT_BYTES));
  }

  /** Waits until every worker has registered, so the job starts at once. */
  private void awaitWorkers(Coordinators coordinators) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      SystemStatus status =
          coordinators
              .call(
                  "SystemStatus", api -> api.systemStatus(SystemStatusRequest.getDefaultInstance()))
              .getStatus();
      if (status.getIdleProvers() >= workers) {
        return;
      }
      Thread.sleep(50); // registration takes a few milliseconds per worker
    }
    throw new IllegalStateException("the workers did not register within 30 s; see the log");
  }

  /** The job's transitions from job_events, as an operator would read them in psql. */
  private void printHistory(Jdbi jdbi, String jobId) {
    out.println("History (SELECT * FROM job_timeline WHERE job_id = '" + jobId + "'):");
    jdbi.useHandle(
        handle ->
            handle
                .createQuery(
                    """
            SELECT extract(epoch FROM since_launch) * 1000 AS ms, event, coalesce(phase, '') AS phase,
                   coalesce(prover_id, '') AS prover, coalesce(detail, '') AS detail
            FROM job_timeline WHERE job_id = :jobId::uuid ORDER BY event_id
            """)
                .bind("jobId", jobId)
                .map(
                    (rs, ctx) ->
                        String.format(
                            "  %9.1f ms  %-15s %-21s %-14s %s",
                            rs.getDouble("ms"),
                            rs.getString("event"),
                            rs.getString("phase"),
                            rs.getString("prover"),
                            rs.getString("detail")))
                .forEach(out::println));
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // a temporary directory; the OS cleans it eventually
    }
  }
}
