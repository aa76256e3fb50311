package zisk.distributed.coordinator.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import zisk.distributed.common.config.ConfigException;
import zisk.distributed.common.metrics.MetricsConfig;
import zisk.distributed.coordinator.CoordinatorCommand;

class CoordinatorSettingsTest {

  @TempDir Path dir;

  @Test
  void defaultsMatchTheDocumentation() {
    CoordinatorConfig config = resolve(Map.of());

    assertEquals("0.0.0.0", config.host());
    assertEquals(8080, config.port());
    assertEquals(Optional.empty(), config.databaseUrl());
    assertEquals(CoordinatorSettings.defaultDataDir(), config.dataDir());
    assertTrue(config.migrate());
    assertEquals(Duration.ofSeconds(3), config.databaseTimeout());
    assertEquals(10_000, config.maxComputeCapacity());
    assertEquals(3, config.maxAttempts());
    assertEquals("info", config.logging().level());
    assertEquals(ProofVerification.DEFAULT, config.proofs());
    assertEquals(ProofVerification.Verifier.REFERENCE, config.proofs().verifier());
    assertEquals(Duration.ofSeconds(300), config.proofs().verifyTimeout());
    assertEquals(Duration.ofSeconds(600), config.proofs().invalidProofHold());
  }

  @Test
  void quarantineIsSetByFileOrEnvironmentAndItsCapCannotBeBelowItsBase() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("quarantine.toml"),
            """
        [provers]
        quarantine_after_failures = 5
        quarantine_seconds = 30
        quarantine_max_seconds = 900
        """);

    assertEquals(QuarantinePolicy.DEFAULT, resolve(Map.of()).quarantine());
    assertEquals(
        new QuarantinePolicy(5, Duration.ofSeconds(30), Duration.ofSeconds(900)),
        resolve(Map.of(), "--config", file.toString()).quarantine());
    assertEquals(
        new QuarantinePolicy(2, Duration.ofSeconds(10), Duration.ofSeconds(40)),
        resolve(
                Map.of(
                    "DISTRIBUTED_QUARANTINE_AFTER_FAILURES", "2",
                    "DISTRIBUTED_QUARANTINE_SECONDS", "10",
                    "DISTRIBUTED_QUARANTINE_MAX_SECONDS", "40"))
            .quarantine());
    ConfigException tooLow =
        assertThrows(
            ConfigException.class,
            () ->
                resolve(
                    Map.of(
                        "DISTRIBUTED_QUARANTINE_SECONDS", "120",
                        "DISTRIBUTED_QUARANTINE_MAX_SECONDS", "60")));
    assertTrue(tooLow.getMessage().contains("provers.quarantine_max_seconds"), tooLow.getMessage());
    assertEquals(
        Duration.ofSeconds(40),
        new QuarantinePolicy(2, Duration.ofSeconds(10), Duration.ofSeconds(40)).cooldown(5),
        "10, 20, 40, then capped");
  }

  @Test
  void theVerifyCommandIsAnArgumentVectorInTheFileAndShellWordsInTheEnvironment() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("coordinator.toml"),
            """
        [proofs]
        verifier = "command"
        verify_command = ["/opt/zisk/verify", "--key", "my key.bin"]
        verify_timeout_seconds = 60
        verify_concurrency = 3

        [provers]
        invalid_proof_hold_seconds = 120
        """);
    Map<String, String> env =
        Map.of(
            "DISTRIBUTED_PROOF_VERIFIER", "command",
            "DISTRIBUTED_PROOF_VERIFY_COMMAND", "/opt/zisk/verify --key 'my key.bin' \"$HOME\"");

    ProofVerification fromFile = resolve(Map.of(), "--config", file.toString()).proofs();
    ProofVerification fromEnv = resolve(env).proofs();

    assertEquals(List.of("/opt/zisk/verify", "--key", "my key.bin"), fromFile.verifyCommand());
    assertEquals(Duration.ofSeconds(60), fromFile.verifyTimeout());
    assertEquals(3, fromFile.verifyConcurrency());
    assertEquals(Duration.ofSeconds(120), fromFile.invalidProofHold());
    assertEquals(
        List.of("/opt/zisk/verify", "--key", "my key.bin", "$HOME"),
        fromEnv.verifyCommand(),
        "split as a shell splits words; nothing is expanded");
    assertEquals(
        ProofVerification.Verifier.NONE,
        resolve(env, "--proof-verifier", "none").proofs().verifier(),
        "the flag wins");
  }

  @Test
  void webhookSettingsComeFromTheWebhooksTableTheirVariablesAndFlags() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("webhooks.toml"),
            """
        [webhooks]
        secret = "s3cret"
        timeout_seconds = 5
        initial_backoff_seconds = 2
        max_backoff_seconds = 60
        max_attempts = 4
        allowed_hosts = ["hooks.example.com", "*.Example.org"]
        """);

    WebhookConfig fromFile = resolve(Map.of(), "--config", file.toString()).webhooks();
    WebhookConfig fromEnv =
        resolve(
                Map.of(
                    "DISTRIBUTED_WEBHOOKS_SECRET", "env-secret",
                    "DISTRIBUTED_WEBHOOKS_ALLOWED_HOSTS", "a.example.com,b.example.com"))
            .webhooks();

    assertEquals(WebhookConfig.DEFAULT, resolve(Map.of()).webhooks());
    assertEquals(
        new WebhookConfig(
            Optional.of("s3cret"),
            Duration.ofSeconds(5),
            Duration.ofSeconds(2),
            Duration.ofSeconds(60),
            4,
            List.of("hooks.example.com", "*.example.org")),
        fromFile);
    assertEquals(Optional.of("env-secret"), fromEnv.secret());
    assertEquals(List.of("a.example.com", "b.example.com"), fromEnv.allowedHosts());
    assertEquals(
        List.of("x.example.com", "y.example.com"),
        resolve(
                Map.of(),
                "--webhook-allowed-host",
                "x.example.com",
                "--webhook-allowed-host",
                "y.example.com")
            .webhooks()
            .allowedHosts(),
        "the flags win");
    assertFalse(fromFile.toString().contains("s3cret"), "the secret is never printed");
    assertThrows(
        ConfigException.class,
        () -> resolve(Map.of("DISTRIBUTED_WEBHOOKS_MAX_BACKOFF_SECONDS", "0")));
    assertThrows(
        ConfigException.class,
        () -> resolve(Map.of("DISTRIBUTED_WEBHOOKS_ALLOWED_HOSTS", "http://evil/")));
    assertEquals(Duration.ofSeconds(2), fromFile.backoffAfter(1));
    assertEquals(Duration.ofSeconds(8), fromFile.backoffAfter(3));
    assertEquals(Duration.ofSeconds(60), fromFile.backoffAfter(30));
  }

  @Test
  void theMetricsEndpointIsOffByDefaultAndBindsTheGrpcHostUnlessTold() throws Exception {
    Path file = Files.writeString(dir.resolve("metrics.toml"), "[metrics]\nport = 9400\n");

    assertEquals(new MetricsConfig("0.0.0.0", 0), resolve(Map.of()).metrics());
    assertFalse(resolve(Map.of()).metrics().enabled());
    assertEquals(
        new MetricsConfig("10.0.0.5", 9400),
        resolve(Map.of(), "--config", file.toString(), "--host", "10.0.0.5").metrics());
    assertEquals(
        new MetricsConfig("127.0.0.1", 9500),
        resolve(Map.of("DISTRIBUTED_METRICS_PORT", "9500", "DISTRIBUTED_METRICS_HOST", "127.0.0.1"))
            .metrics());
    assertEquals(9600, resolve(Map.of(), "--metrics-port", "9600").metrics().port());
    ConfigException bad =
        assertThrows(
            ConfigException.class, () -> resolve(Map.of("DISTRIBUTED_METRICS_PORT", "70000")));
    assertTrue(bad.getMessage().contains("metrics.port"), bad.getMessage());
  }

  @Test
  void taskTimeoutsComeFromTheJobsTimeoutsTableAndTheirVariables() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("coordinator.toml"),
            """
        [jobs.timeouts]
        partial_contribution_seconds = 600
        prove_seconds = 900
        """);

    assertEquals(TaskTimeouts.DEFAULT, resolve(Map.of()).timeouts());
    assertEquals(
        new TaskTimeouts(Duration.ofSeconds(600), Duration.ofSeconds(900), Duration.ofSeconds(60)),
        resolve(Map.of("DISTRIBUTED_AGGREGATE_TIMEOUT_SECONDS", "60"), "--config", file.toString())
            .timeouts());
    assertThrows(
        ConfigException.class, () -> resolve(Map.of("DISTRIBUTED_PROVE_TIMEOUT_SECONDS", "0")));
  }

  @Test
  void uploadedInputLimitsComeFromTheInputsTableTheirVariablesAndFlags() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("coordinator.toml"),
            """
        [inputs]
        max_size_bytes = 5000000000
        retention_hours = 2
        """);

    assertEquals(InputStorage.DEFAULT, resolve(Map.of()).limits().inputs());
    assertEquals(
        new InputStorage(5_000_000_000L, Duration.ofHours(2)),
        resolve(Map.of(), "--config", file.toString()).limits().inputs());
    assertEquals(
        new InputStorage(1000, Duration.ofHours(3)),
        resolve(
                Map.of(
                    "DISTRIBUTED_INPUTS_MAX_SIZE_BYTES",
                    "99",
                    "DISTRIBUTED_INPUTS_RETENTION_HOURS",
                    "3"),
                "--inputs-max-size-bytes",
                "1000")
            .limits()
            .inputs());
    ConfigException zero =
        assertThrows(
            ConfigException.class, () -> resolve(Map.of("DISTRIBUTED_INPUTS_MAX_SIZE_BYTES", "0")));
    assertTrue(zero.getMessage().contains("DISTRIBUTED_INPUTS_MAX_SIZE_BYTES"), zero.getMessage());
  }

  @Test
  void theInputsDirectoriesAreReadAsTheWorkersReadThem() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("coordinator.toml"),
            """
        [proofs]
        inputs_dirs = ["/srv/a", "relative/b"]
        """);

    assertEquals(List.of(Path.of("inputs")), resolve(Map.of()).proofs().inputsDirs());
    assertEquals(
        List.of(Path.of("/srv/a"), Path.of("relative/b")),
        resolve(Map.of(), "--config", file.toString()).proofs().inputsDirs());
    assertEquals(
        List.of(Path.of("/env/a"), Path.of("/env/b")),
        resolve(Map.of("DISTRIBUTED_INPUTS_DIRS", "/env/a, /env/b")).proofs().inputsDirs(),
        "the workers' variable, comma-separated");
    assertEquals(
        List.of(Path.of("/flag/a"), Path.of("/flag/b,c")),
        resolve(
                Map.of("DISTRIBUTED_INPUTS_DIRS", "/env/a"),
                "--inputs-dir",
                "/flag/a",
                "--inputs-dir",
                "/flag/b,c")
            .proofs()
            .inputsDirs(),
        "the flag wins, repeated");
    assertThrows(ConfigException.class, () -> resolve(Map.of("DISTRIBUTED_INPUTS_DIRS", " , ")));
  }

  @Test
  void theCommandVerifierNeedsACommand() {
    ConfigException missing =
        assertThrows(
            ConfigException.class, () -> resolve(Map.of("DISTRIBUTED_PROOF_VERIFIER", "command")));
    ConfigException unknown =
        assertThrows(
            ConfigException.class, () -> resolve(Map.of(), "--proof-verifier", "trust-me"));
    ConfigException unbalanced =
        assertThrows(
            ConfigException.class,
            () ->
                resolve(
                    Map.of(
                        "DISTRIBUTED_PROOF_VERIFIER", "command",
                        "DISTRIBUTED_PROOF_VERIFY_COMMAND", "verify 'oops")));

    assertTrue(missing.getMessage().contains("proofs.verify_command"), missing.getMessage());
    assertTrue(unknown.getMessage().contains("expected one of"), unknown.getMessage());
    assertTrue(
        unbalanced.getMessage().contains("DISTRIBUTED_PROOF_VERIFY_COMMAND"),
        unbalanced.getMessage());
  }

  @Test
  void limitsHaveDocumentedDefaultsAndComeFromTheFileAndTheEnvironment() throws Exception {
    assertEquals(CoordinatorConfig.Limits.DEFAULT, resolve(Map.of()).limits());
    assertEquals(256 * 1024 * 1024, CoordinatorConfig.Limits.DEFAULT.maxProverMessageBytes());
    assertEquals(Duration.ofSeconds(10), CoordinatorConfig.Limits.DEFAULT.registerTimeout());
    assertEquals(Duration.ofHours(24), CoordinatorConfig.Limits.DEFAULT.proverRetention());
    assertEquals(10_000, CoordinatorConfig.Limits.DEFAULT.maxQueuedJobs());
    assertEquals(1_000, CoordinatorConfig.Limits.DEFAULT.maxWatchers());
    Path file =
        Files.writeString(
            dir.resolve("limits.toml"),
            """
        [server]
        max_prover_message_bytes = 67108864

        [provers]
        register_timeout_seconds = 5
        max_unregistered_streams = 50
        max_registrations_per_second = 20
        retention_hours = 2
        """);

    CoordinatorConfig.Limits limits =
        resolve(
                Map.of("DISTRIBUTED_MAX_QUEUED_JOBS", "7", "DISTRIBUTED_MAX_WATCHERS", "3"),
                "--config",
                file.toString())
            .limits();

    assertEquals(
        new CoordinatorConfig.Limits(
            64 * 1024 * 1024,
            Duration.ofSeconds(5),
            50,
            20,
            Duration.ofHours(2),
            7,
            InputStorage.DEFAULT,
            3),
        limits);
    ConfigException tooSmall =
        assertThrows(
            ConfigException.class,
            () -> resolve(Map.of("DISTRIBUTED_MAX_PROVER_MESSAGE_BYTES", "1000")));
    assertTrue(
        tooSmall.getMessage().contains("DISTRIBUTED_MAX_PROVER_MESSAGE_BYTES"),
        tooSmall.getMessage());
  }

  @Test
  void flagsBeatTheFileWhichBeatsTheEnvironment() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("coordinator.toml"),
            """
        [server]
        port = 9000
        host = "127.0.0.1"

        [jobs]
        max_compute_capacity = 64
        """);
    Map<String, String> env =
        Map.of(
            "DISTRIBUTED_SERVER_PORT", "7000",
            "DISTRIBUTED_SERVER_HOST", "10.1.1.1",
            "DISTRIBUTED_SERVICE_NAME", "from-env",
            "DISTRIBUTED_MAX_COMPUTE_CAPACITY", "32");

    CoordinatorConfig fileOverEnv = resolve(env, "--config", file.toString());
    CoordinatorConfig flagOverFile =
        resolve(env, "--config", file.toString(), "--port", "9100", "--no-migrate");

    assertEquals(9000, fileOverEnv.port());
    assertEquals("127.0.0.1", fileOverEnv.host());
    assertEquals(64, fileOverEnv.maxComputeCapacity());
    assertEquals(
        "from-env", fileOverEnv.serviceName(), "the environment fills what the file leaves out");
    assertEquals(9100, flagOverFile.port());
    assertEquals(false, flagOverFile.migrate());
  }

  @Test
  void configPathVariableNamesTheFile() throws Exception {
    Path file = Files.writeString(dir.resolve("c.toml"), "[server]\nport = 9200\n");

    assertEquals(9200, resolve(Map.of("CONFIG_PATH", file.toString())).port());
  }

  @Test
  void acceptsBothDatabaseUrlForms() {
    assertEquals(
        "jdbc:postgresql://db:5432/zisk?user=u",
        resolve(Map.of(), "--database-url", "jdbc:postgresql://db:5432/zisk?user=u")
            .databaseUrl()
            .orElseThrow());
    assertEquals(
        "jdbc:postgresql://db:5432/zisk?user=zisk&password=s%40cret",
        resolve(Map.of("DISTRIBUTED_DATABASE_URL", "postgresql://zisk:s%40cret@db:5432/zisk"))
            .databaseUrl()
            .orElseThrow());
    assertEquals(
        "jdbc:postgresql://db/postgres?sslmode=require&user=me",
        resolve(Map.of(), "--database-url", "postgres://me@db?sslmode=require")
            .databaseUrl()
            .orElseThrow());
  }

  @Test
  void badValuesAreReportedWithTheirSource() {
    ConfigException port =
        assertThrows(
            ConfigException.class, () -> resolve(Map.of("DISTRIBUTED_SERVER_PORT", "http")));
    ConfigException url =
        assertThrows(
            ConfigException.class, () -> resolve(Map.of(), "--database-url", "mysql://x/y"));
    ConfigException level =
        assertThrows(
            ConfigException.class, () -> resolve(Map.of("DISTRIBUTED_LOGGING_LEVEL", "loud")));

    assertTrue(port.getMessage().contains("DISTRIBUTED_SERVER_PORT"), port.getMessage());
    assertTrue(url.getMessage().contains("database.url"), url.getMessage());
    assertTrue(level.getMessage().contains("expected one of"), level.getMessage());
  }

  @Test
  void invalidConfigurationExitsWithStatus2() {
    CommandLine command =
        new CommandLine(new CoordinatorCommand(Map.of("DISTRIBUTED_SERVER_PORT", "-1")));

    assertEquals(2, command.execute());
  }

  @Test
  void tlsIsOffUnlessACertificateAndKeyAreGiven() {
    assertEquals(Optional.empty(), resolve(Map.of()).tls());
  }

  @Test
  void tlsFilesComeFromTheFileTheEnvironmentOrFlags() throws Exception {
    Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
    Path key = Files.writeString(dir.resolve("key.pem"), "x");
    Path ca = Files.writeString(dir.resolve("ca.pem"), "x");
    Path file =
        Files.writeString(
            dir.resolve("tls.toml"),
            "[server.tls]\ncert_file = \"%s\"\nkey_file = \"%s\"\n".formatted(cert, key));

    CoordinatorConfig fromFile = resolve(Map.of(), "--config", file.toString());
    CoordinatorConfig fromEnv =
        resolve(
            Map.of(
                "DISTRIBUTED_TLS_CERT_FILE", cert.toString(),
                "DISTRIBUTED_TLS_KEY_FILE", key.toString(),
                "DISTRIBUTED_TLS_CLIENT_CA_FILE", ca.toString()));
    CoordinatorConfig fromFlags =
        resolve(
            Map.of(),
            "--tls-cert-file",
            cert.toString(),
            "--tls-key-file",
            key.toString(),
            "--tls-client-ca-file",
            ca.toString());

    assertEquals(
        Optional.of(new CoordinatorConfig.Tls(cert, key, Optional.empty())), fromFile.tls());
    assertEquals(Optional.of(new CoordinatorConfig.Tls(cert, key, Optional.of(ca))), fromEnv.tls());
    assertEquals(fromEnv.tls(), fromFlags.tls());
  }

  @Test
  void aCertificateWithoutItsKeyIsAConfigurationError() throws Exception {
    Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
    Path ca = Files.writeString(dir.resolve("ca.pem"), "x");

    ConfigException certOnly =
        assertThrows(
            ConfigException.class, () -> resolve(Map.of(), "--tls-cert-file", cert.toString()));
    ConfigException caOnly =
        assertThrows(
            ConfigException.class,
            () -> resolve(Map.of("DISTRIBUTED_TLS_CLIENT_CA_FILE", ca.toString())));

    assertEquals(
        "TLS needs both server.tls.cert_file and server.tls.key_file; only"
            + " server.tls.cert_file is set",
        certOnly.getMessage());
    assertTrue(caOnly.getMessage().contains("TLS is off"), caOnly.getMessage());
  }

  @Test
  void aTlsFileThatCannotBeReadIsAConfigurationError() throws Exception {
    Path key = Files.writeString(dir.resolve("key.pem"), "x");
    Path missing = dir.resolve("missing.pem");

    ConfigException error =
        assertThrows(
            ConfigException.class,
            () ->
                resolve(
                    Map.of("DISTRIBUTED_TLS_CERT_FILE", missing.toString()),
                    "--tls-key-file",
                    key.toString()));
    ConfigException directory =
        assertThrows(
            ConfigException.class,
            () ->
                resolve(
                    Map.of(), "--tls-cert-file", dir.toString(), "--tls-key-file", key.toString()));

    assertEquals(
        "invalid server.tls.cert_file '"
            + missing
            + "' (from DISTRIBUTED_TLS_CERT_FILE): the file does not exist",
        error.getMessage());
    assertTrue(directory.getMessage().contains("not a regular file"), directory.getMessage());
  }

  @Test
  void aTlsFileThatIsNotPemExitsWithStatus2BeforeTheDatabaseStarts() throws Exception {
    Path notPem = Files.writeString(dir.resolve("cert.pem"), "not a certificate\n");
    CommandLine command =
        new CommandLine(
            new CoordinatorCommand(
                Map.of(
                    "DISTRIBUTED_TLS_CERT_FILE", notPem.toString(),
                    "DISTRIBUTED_TLS_KEY_FILE", notPem.toString(),
                    // Were the database opened first, this would fail another way (exit 1).
                    "DISTRIBUTED_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")));

    assertEquals(2, command.execute());
  }

  private static CoordinatorConfig resolve(Map<String, String> env, String... args) {
    CoordinatorCommand command = new CoordinatorCommand(env);
    new CommandLine(command).parseArgs(args);
    return command.resolveConfig();
  }

  @Test
  void instanceLivenessAndRetentionAreConfigurableAndValidated() throws Exception {
    assertEquals(InstanceTiming.DEFAULT, resolve(Map.of()).coordinators());
    assertEquals(Duration.ofSeconds(5), InstanceTiming.DEFAULT.heartbeat());
    Path file =
        Files.writeString(
            dir.resolve("instances.toml"),
            """
        [coordinators]
        liveness_seconds = 12
        retention_hours = 48
        """);

    InstanceTiming fromFile = resolve(Map.of(), "--config", file.toString()).coordinators();
    InstanceTiming fromEnv =
        resolve(
                Map.of(
                    "DISTRIBUTED_COORDINATOR_LIVENESS_SECONDS", "6",
                    "DISTRIBUTED_COORDINATOR_RETENTION_HOURS", "2"))
            .coordinators();

    assertEquals(new InstanceTiming(Duration.ofSeconds(12), Duration.ofHours(48)), fromFile);
    assertEquals(Duration.ofSeconds(2), fromFile.heartbeat());
    assertEquals(new InstanceTiming(Duration.ofSeconds(6), Duration.ofHours(2)), fromEnv);
    for (String bad : List.of("2", "1801", "soon")) {
      ConfigException refused =
          assertThrows(
              ConfigException.class,
              () -> resolve(Map.of("DISTRIBUTED_COORDINATOR_LIVENESS_SECONDS", bad)));
      assertTrue(
          refused.getMessage().contains("DISTRIBUTED_COORDINATOR_LIVENESS_SECONDS"),
          refused.getMessage());
    }
    assertThrows(
        ConfigException.class,
        () -> resolve(Map.of("DISTRIBUTED_COORDINATOR_RETENTION_HOURS", "0")));
  }
}
