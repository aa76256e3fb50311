package zisk.distributed.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import zisk.distributed.worker.config.ConfigTemplate;
import zisk.distributed.worker.config.WorkerConfig;
import zisk.distributed.worker.prover.ProverBackend;
import zisk.distributed.worker.testing.ControlledBackend;
import zisk.distributed.worker.testing.Deadlines;
import zisk.distributed.worker.testing.FakeCoordinator;
import zisk.distributed.worker.testing.FakeCoordinator.FakeStream;
import zisk.distributed.worker.testing.Tasks;

class WorkerCommandTest {

  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @Test
  void helpDocumentsEveryOptionWithItsVariableAndDefault() {
    int status = run(name -> null, Map.of(), "--help");

    String help = out.toString();
    assertEquals(0, status);
    for (String text :
        List.of(
            "--url",
            "--ca-file",
            "--tls-cert-file",
            "--tls-key-file",
            "DISTRIBUTED_CA_FILE",
            "DISTRIBUTED_TLS_CERT_FILE",
            "DISTRIBUTED_TLS_KEY_FILE",
            "system trust store",
            "--prover-id",
            "--compute-units",
            "--backend",
            "--config",
            "--generate-config",
            "DISTRIBUTED_SERVER_URL",
            "DISTRIBUTED_PROVER_ID",
            "DISTRIBUTED_COMPUTE_UNITS",
            "DISTRIBUTED_PROVER_BACKEND",
            "CONFIG_PATH",
            "http://127.0.0.1:8080",
            "random UUID",
            "number of CPUs")) {
      assertTrue(help.contains(text), "help mentions " + text + ":\n" + help);
    }
  }

  @Test
  void generateConfigWritesTheTemplateToStandardOutput() {
    int status = run(name -> null, Map.of(), "--generate-config");

    assertEquals(0, status);
    assertEquals(ConfigTemplate.render(), out.toString());
  }

  @Test
  void generateConfigWritesAFileThatLoadsBack() throws Exception {
    Path file = dir.resolve("worker.toml");

    int status = run(name -> null, Map.of(), "--generate-config=" + file);

    assertEquals(0, status);
    assertEquals(ConfigTemplate.render(), Files.readString(file));
    assertEquals("reference", WorkerConfig.load(Map.of(), file, Map.of()).backend());
    assertEquals(
        2, run(name -> null, Map.of(), "--generate-config=" + file), "an existing file is kept");
    assertTrue(err.toString().contains("already exists"), err.toString());
  }

  @Test
  void invalidConfigurationIsOneClearLineAndExitStatusTwo() {
    int status = run(name -> new ControlledBackend(), Map.of(), "--compute-units", "0");

    assertEquals(2, status);
    assertEquals(
        "error: invalid prover.compute_capacity.compute_units '0' (from command line): "
            + "compute_units must be greater than 0",
        err.toString().strip());
  }

  @Test
  void proverIdTheCoordinatorWouldRefuseStopsTheWorkerAtStart() {
    int status = run(name -> new ControlledBackend(), Map.of(), "--prover-id", "gpu 07");

    assertEquals(2, status, "a config error, not a worker that loops on refused registrations");
    assertEquals(
        "error: invalid prover.prover_id 'gpu 07' (from command line): "
            + "prover_id must be printable ASCII without spaces",
        err.toString().strip());
  }

  @Test
  void badValueFromTheConfigFileNamesTheFile() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("w.toml"), "[connection]\nheartbeat_timeout_seconds = \"soon\"\n");

    int status = run(name -> new ControlledBackend(), Map.of("CONFIG_PATH", file.toString()));

    assertEquals(2, status);
    assertTrue(
        err.toString().contains("connection.heartbeat_timeout_seconds 'soon' (from " + file + ")"),
        err.toString());
  }

  @Test
  void aCaFileWithoutACertificateStopsTheWorkerAtStart() throws Exception {
    Path notPem = Files.writeString(dir.resolve("ca.pem"), "not a certificate\n");

    int status =
        run(
            name -> new ControlledBackend(),
            Map.of("DISTRIBUTED_CA_FILE", notPem.toString()),
            "--url",
            "https://coordinator:8443");

    assertEquals(2, status, "a config error, not a worker that fails every handshake");
    assertEquals(
        "error: --ca-file: " + notPem + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
        err.toString().strip());
  }

  @Test
  void unknownBackendIsRejected() {
    int status = run(name -> null, Map.of(), "--backend", "gpu");

    assertEquals(2, status);
    assertEquals("error: unknown prover backend 'gpu'", err.toString().strip());
  }

  @Test
  void runsUntilTheCoordinatorShutsItDownThenExitsZero() throws Exception {
    ControlledBackend backend = new ControlledBackend();
    try (FakeCoordinator coordinator = FakeCoordinator.start()) {
      Function<WorkerConfig, ProverBackend> backends =
          config -> config.backend().equals("fake") ? backend : null;
      CompletableFuture<Integer> status =
          CompletableFuture.supplyAsync(
              () ->
                  run(
                      backends,
                      Map.of("DISTRIBUTED_PROVER_BACKEND", "fake"),
                      "--url",
                      coordinator.url(),
                      "--prover-id",
                      "cli-prover",
                      "--compute-units",
                      "5",
                      "--inputs-dir",
                      Tasks.INPUTS.dirs().get(0).toString()));

      FakeStream stream = coordinator.awaitStream();
      assertEquals("cli-prover", stream.hello().getRegister().getProverId());
      assertEquals(5, stream.hello().getRegister().getComputeCapacity().getComputeUnits());
      stream.sendTask(Tasks.contribution("job-1", "task-1", 0));
      assertTrue(stream.awaitResult().getSuccess());
      stream.shutdown("maintenance", 5);

      assertEquals(0, status.get(Deadlines.WAIT.toMillis(), TimeUnit.MILLISECONDS));
    }
  }

  private int run(
      Function<WorkerConfig, ProverBackend> backends, Map<String, String> env, String... args) {
    CommandLine command = new CommandLine(new WorkerCommand(backends, env));
    command.setOut(new PrintWriter(out, true));
    command.setErr(new PrintWriter(err, true));
    return command.execute(args);
  }
}
