package zisk.distributed.worker.config;

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
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zisk.distributed.common.config.ConfigException;
import zisk.distributed.common.config.LayeredConfig;
import zisk.distributed.common.inputs.InputFiles;
import zisk.distributed.common.metrics.MetricsConfig;
import zisk.distributed.common.rules.ComputeUnits;
import zisk.distributed.common.rules.ProverIds;
import zisk.distributed.worker.connection.ClientTls;
import zisk.distributed.worker.connection.CoordinatorEndpoint;

class WorkerConfigTest {

  @TempDir Path dir;

  @Test
  void defaultsApplyWhenNothingIsSet() {
    WorkerConfig config = WorkerConfig.load(Map.of(), null, Map.of());

    assertEquals(List.of(new CoordinatorEndpoint("127.0.0.1", 8080, false)), config.coordinators());
    assertEquals(
        UUID.fromString(config.proverId()).toString(), config.proverId(), "a generated UUID");
    assertEquals(WorkerSettings.defaultComputeUnits(), config.computeUnits());
    assertEquals("reference", config.backend());
    assertEquals(Duration.ofSeconds(5), config.reconnectInterval());
    assertEquals(Duration.ofSeconds(60), config.maxReconnectInterval());
    assertEquals(Duration.ofSeconds(30), config.heartbeatTimeout());
    assertEquals(new WorkerConfig.Logging("info", "pretty", null), config.logging());
    assertEquals(List.of(Path.of("inputs").toAbsolutePath()), config.inputs().dirs());
    assertEquals(64L << 20, config.inputs().maxBytes());
  }

  @Test
  void inputsDirectoriesComeFromATomlArrayARepeatedFlagOrACommaListInTheEnvironment()
      throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("worker.toml"),
            """
        [prover]
        inputs_dirs = ["/srv/a", "relative/b"]
        max_input_bytes = 4096
        """);
    Map<String, String> env =
        Map.of("DISTRIBUTED_INPUTS_DIRS", "/env/a, /env/b,", "DISTRIBUTED_MAX_INPUT_BYTES", "10");

    InputFiles fromEnv = WorkerConfig.load(env, null, Map.of()).inputs();
    InputFiles fromFile = WorkerConfig.load(env, file, Map.of()).inputs();
    InputFiles fromFlags =
        WorkerConfig.load(
                env,
                file,
                Map.of(
                    "prover.inputs_dirs",
                    "/flag/a" + LayeredConfig.LIST_SEPARATOR + "/flag/b,c",
                    "prover.max_input_bytes",
                    "77"))
            .inputs();

    assertEquals(new InputFiles(List.of(Path.of("/env/a"), Path.of("/env/b")), 10), fromEnv);
    assertEquals(
        new InputFiles(List.of(Path.of("/srv/a"), Path.of("relative/b").toAbsolutePath()), 4096),
        fromFile);
    assertEquals(new InputFiles(List.of(Path.of("/flag/a"), Path.of("/flag/b,c")), 77), fromFlags);
  }

  @Test
  void theMetricsEndpointIsOffByDefaultAndListensOnEveryAddressWhenSet() throws Exception {
    Path file = Files.writeString(dir.resolve("worker.toml"), "[metrics]\nport = 9401\n");

    assertEquals(MetricsConfig.DISABLED, WorkerConfig.load(Map.of(), null, Map.of()).metrics());
    assertEquals(
        new MetricsConfig("0.0.0.0", 9401), WorkerConfig.load(Map.of(), file, Map.of()).metrics());
    assertEquals(
        new MetricsConfig("127.0.0.1", 9402),
        WorkerConfig.load(
                Map.of("DISTRIBUTED_METRICS_PORT", "9402", "DISTRIBUTED_METRICS_HOST", "127.0.0.1"),
                null,
                Map.of())
            .metrics());
    assertEquals(
        9403, WorkerConfig.load(Map.of(), file, Map.of("metrics.port", "9403")).metrics().port());
  }

  @Test
  void aSingleStringIsOneInputsDirectory() throws Exception {
    Path file =
        Files.writeString(dir.resolve("worker.toml"), "[prover]\ninputs_dirs = \"/srv/in\"\n");

    assertEquals(
        List.of(Path.of("/srv/in")), WorkerConfig.load(Map.of(), file, Map.of()).inputs().dirs());
  }

  @Test
  void refusesBadInputSettingsNamingTheirSource() {
    ConfigException empty =
        assertThrows(
            ConfigException.class,
            () -> WorkerConfig.load(Map.of("DISTRIBUTED_INPUTS_DIRS", ", ,"), null, Map.of()));
    assertTrue(empty.getMessage().contains("prover.inputs_dirs"), empty.getMessage());
    assertTrue(empty.getMessage().contains("no directory given"), empty.getMessage());

    ConfigException tooLarge =
        assertThrows(
            ConfigException.class,
            () ->
                WorkerConfig.load(
                    Map.of("DISTRIBUTED_MAX_INPUT_BYTES", "2000000000"), null, Map.of()));
    assertTrue(
        tooLarge.getMessage().contains("DISTRIBUTED_MAX_INPUT_BYTES"), tooLarge.getMessage());
  }

  @Test
  void flagsBeatTheFileWhichBeatsTheEnvironmentWhichBeatsDefaults() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("worker.toml"),
            """
        [server]
        url = "http://file-coord:9000"
        [prover]
        prover_id = "from-file"
        [prover.compute_capacity]
        compute_units = 16
        """);
    Map<String, String> env =
        Map.of(
            "DISTRIBUTED_SERVER_URL", "http://env-coord:7000",
            "DISTRIBUTED_PROVER_ID", "from-env",
            "DISTRIBUTED_COMPUTE_UNITS", "4",
            "DISTRIBUTED_HEARTBEAT_TIMEOUT_SECONDS", "12");

    WorkerConfig config =
        WorkerConfig.load(
            env,
            file,
            LayeredConfig.flags(
                "server.url",
                "http://flag-a:1,flag-b:2",
                "prover.compute_capacity.compute_units",
                null));

    assertEquals(
        List.of(
            new CoordinatorEndpoint("flag-a", 1, false),
            new CoordinatorEndpoint("flag-b", 2, false)),
        config.coordinators(),
        "flag beats file");
    assertEquals("from-file", config.proverId(), "file beats environment");
    assertEquals(16, config.computeUnits(), "file beats environment");
    assertEquals(Duration.ofSeconds(12), config.heartbeatTimeout(), "environment beats default");
    assertEquals(Duration.ofSeconds(5), config.reconnectInterval(), "default");
  }

  @Test
  void environmentSetsEveryWorkerSetting() throws Exception {
    Path ca = Files.writeString(dir.resolve("ca.pem"), "x");
    Path cert = Files.writeString(dir.resolve("worker.pem"), "x");
    Path key = Files.writeString(dir.resolve("worker-key.pem"), "x");
    Map<String, String> env =
        Map.ofEntries(
            Map.entry("DISTRIBUTED_SERVER_URL", "https://a:443, http://b:8080"),
            Map.entry("DISTRIBUTED_CA_FILE", ca.toString()),
            Map.entry("DISTRIBUTED_TLS_CERT_FILE", cert.toString()),
            Map.entry("DISTRIBUTED_TLS_KEY_FILE", key.toString()),
            Map.entry("DISTRIBUTED_PROVER_ID", "gpu-7"),
            Map.entry("DISTRIBUTED_COMPUTE_UNITS", "2"),
            Map.entry("DISTRIBUTED_PROVER_BACKEND", "Reference"),
            Map.entry("DISTRIBUTED_RECONNECT_INTERVAL_SECONDS", "2"),
            Map.entry("DISTRIBUTED_MAX_RECONNECT_INTERVAL_SECONDS", "20"),
            Map.entry("DISTRIBUTED_HEARTBEAT_TIMEOUT_SECONDS", "9"),
            Map.entry("DISTRIBUTED_LOGGING_LEVEL", "debug"),
            Map.entry("DISTRIBUTED_LOGGING_FORMAT", "json"),
            Map.entry("DISTRIBUTED_LOGGING_FILE_PATH", "/tmp/w.log"));

    WorkerConfig config = WorkerConfig.load(env, null, Map.of());

    assertEquals(
        new WorkerConfig(
                List.of(
                    new CoordinatorEndpoint("a", 443, true),
                    new CoordinatorEndpoint("b", 8080, false)),
                "gpu-7",
                2,
                "reference",
                Duration.ofSeconds(2),
                Duration.ofSeconds(20),
                Duration.ofSeconds(9),
                new WorkerConfig.Logging("debug", "json", "/tmp/w.log"))
            .withTls(new ClientTls(Optional.of(ca), Optional.of(cert), Optional.of(key))),
        config);
  }

  @Test
  void httpsTrustsTheSystemStoreWithoutACaFile() {
    assertEquals(ClientTls.SYSTEM_TRUST, WorkerConfig.load(Map.of(), null, Map.of()).tls());
  }

  @Test
  void tlsFilesFollowTheUsualPrecedence() throws Exception {
    Path envCa = Files.writeString(dir.resolve("env-ca.pem"), "x");
    Path fileCa = Files.writeString(dir.resolve("file-ca.pem"), "x");
    Path cert = Files.writeString(dir.resolve("worker.pem"), "x");
    Path key = Files.writeString(dir.resolve("worker-key.pem"), "x");
    Path file =
        Files.writeString(
            dir.resolve("worker.toml"),
            "[server]\nca_file = \"%s\"\ntls_cert_file = \"%s\"\ntls_key_file = \"%s\"\n"
                .formatted(fileCa, cert, key));

    WorkerConfig fileOverEnv =
        WorkerConfig.load(Map.of("DISTRIBUTED_CA_FILE", envCa.toString()), file, Map.of());
    WorkerConfig flagOverFile =
        WorkerConfig.load(
            Map.of(), file, LayeredConfig.flags(WorkerSettings.CA_FILE.fileKey(), envCa));

    assertEquals(
        new ClientTls(Optional.of(fileCa), Optional.of(cert), Optional.of(key)), fileOverEnv.tls());
    assertEquals(Optional.of(envCa), flagOverFile.tls().caFile());
  }

  @Test
  void aClientCertificateWithoutItsKeyIsAConfigurationError() throws Exception {
    Path cert = Files.writeString(dir.resolve("worker.pem"), "x");

    ConfigException error =
        assertThrows(
            ConfigException.class,
            () ->
                WorkerConfig.load(
                    Map.of("DISTRIBUTED_TLS_CERT_FILE", cert.toString()), null, Map.of()));

    assertEquals(
        "a client certificate needs both server.tls_cert_file and server.tls_key_file;"
            + " only server.tls_cert_file is set",
        error.getMessage());
  }

  @Test
  void aCaFileThatCannotBeReadIsAConfigurationError() {
    Path missing = dir.resolve("missing-ca.pem");

    ConfigException error =
        assertThrows(
            ConfigException.class,
            () ->
                WorkerConfig.load(
                    Map.of("DISTRIBUTED_CA_FILE", missing.toString()), null, Map.of()));

    assertEquals(
        "invalid server.ca_file '"
            + missing
            + "' (from DISTRIBUTED_CA_FILE): the file does not exist",
        error.getMessage());
  }

  @Test
  void generatedTemplateLoadsBackToTheDefaults() throws Exception {
    String template = ConfigTemplate.render();
    // As generated, every setting is commented out; uncommented, the fixed defaults are spelled
    // out.
    String uncommented =
        template
            .lines()
            .map(
                line ->
                    line.matches(
                            "# (url|backend|inputs_dirs|max_input_bytes|\\w+_seconds|level|format) = .*")
                        ? line.substring(2)
                        : line)
            .reduce("", (all, line) -> all + line + "\n");
    WorkerConfig defaults = WorkerConfig.load(Map.of(), null, Map.of());

    for (String text : List.of(template, uncommented)) {
      Path file = Files.writeString(dir.resolve("template.toml"), text);
      WorkerConfig fromTemplate = WorkerConfig.load(Map.of(), file, Map.of());

      assertEquals(defaults.coordinators(), fromTemplate.coordinators());
      assertEquals(defaults.computeUnits(), fromTemplate.computeUnits());
      assertEquals(defaults.backend(), fromTemplate.backend());
      assertEquals(defaults.reconnectInterval(), fromTemplate.reconnectInterval());
      assertEquals(defaults.maxReconnectInterval(), fromTemplate.maxReconnectInterval());
      assertEquals(defaults.heartbeatTimeout(), fromTemplate.heartbeatTimeout());
      assertEquals(defaults.logging(), fromTemplate.logging());
      assertEquals(defaults.inputs(), fromTemplate.inputs());
      assertEquals(Optional.empty(), ProverIds.problem(fromTemplate.proverId()));
    }
    // 9, and the native prover's limits: start-up, cancel and kill graces, three request limits.
    assertEquals(
        15,
        uncommented.lines().filter(line -> line.contains(" = ") && !line.startsWith("#")).count(),
        "every fixed default was uncommented:\n" + uncommented);
  }

  @Test
  void generatedTemplateLeavesTheEnvironmentInCharge() throws Exception {
    Path file = Files.writeString(dir.resolve("template.toml"), ConfigTemplate.render());

    WorkerConfig config =
        WorkerConfig.load(Map.of("DISTRIBUTED_SERVER_URL", "http://env:1"), file, Map.of());

    assertEquals(List.of(new CoordinatorEndpoint("env", 1, false)), config.coordinators());
  }

  @Test
  void templateDocumentsEverySetting() {
    String template = ConfigTemplate.render();

    for (var key : WorkerSettings.ALL) {
      String name = key.fileKey().substring(key.fileKey().lastIndexOf('.') + 1);
      assertTrue(template.contains("# " + name + " = "), "template has " + key.fileKey());
      assertTrue(template.contains(key.envVar()), "template names " + key.envVar());
      assertTrue(template.contains(key.description()), "template explains " + key.fileKey());
    }
  }

  @Test
  void badValuesNameTheSettingAndWhereItCameFrom() {
    assertEquals(
        "invalid prover.compute_capacity.compute_units '0' (from command line): "
            + "compute_units must be greater than 0",
        error(Map.of(), LayeredConfig.flags("prover.compute_capacity.compute_units", "0")));
    assertTrue(
        error(Map.of("DISTRIBUTED_COMPUTE_UNITS", "many"), Map.of())
            .contains("(from DISTRIBUTED_COMPUTE_UNITS): not a whole number"));
    assertTrue(
        error(Map.of(), LayeredConfig.flags("server.url", "ftp://x:1"))
            .startsWith(
                "invalid server.url 'ftp://x:1' (from command line): 'ftp://x:1': scheme must be"));
    assertTrue(
        error(Map.of(), LayeredConfig.flags("server.url", " , "))
            .contains("no coordinator URL given"));
    assertTrue(
        error(Map.of(), LayeredConfig.flags("prover.prover_id", "x".repeat(129)))
            .endsWith("prover_id is 129 characters long; the limit is 128"));
    assertTrue(
        error(Map.of("DISTRIBUTED_PROVER_ID", "caf\u00e9"), Map.of()).contains("printable ASCII"));
    assertTrue(
        error(Map.of(), LayeredConfig.flags("prover.backend", "no such"))
            .contains("invalid prover.backend"));
    assertTrue(
        error(Map.of("DISTRIBUTED_RECONNECT_INTERVAL_SECONDS", "0"), Map.of())
            .contains("connection.reconnect_interval_seconds"));
    assertTrue(
        error(
                Map.of(
                    "DISTRIBUTED_RECONNECT_INTERVAL_SECONDS",
                    "30",
                    "DISTRIBUTED_MAX_RECONNECT_INTERVAL_SECONDS",
                    "10"),
                Map.of())
            .contains("must be at least connection.reconnect_interval_seconds (30)"));
    assertTrue(
        error(Map.of("DISTRIBUTED_LOGGING_LEVEL", "loud"), Map.of()).contains("logging.level"));
  }

  @Test
  void proverIdAndComputeUnitsFollowTheCoordinatorsRules() {
    // The coordinator refuses a prover id with a space at every registration: refuse it at start.
    assertEquals(
        "invalid prover.prover_id 'gpu 07' (from DISTRIBUTED_PROVER_ID): "
            + "prover_id must be printable ASCII without spaces",
        error(Map.of("DISTRIBUTED_PROVER_ID", "gpu 07"), Map.of()));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new WorkerConfig(
                List.of(new CoordinatorEndpoint("a", 1, false)),
                "gpu 07",
                1,
                "reference",
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                WorkerConfig.Logging.defaults()));
    // The cap is the coordinator's, not a lower one of the worker's own.
    assertEquals(
        ComputeUnits.MAX_PER_PROVER,
        WorkerConfig.load(
                Map.of(),
                null,
                LayeredConfig.flags(
                    "prover.compute_capacity.compute_units", ComputeUnits.MAX_PER_PROVER))
            .computeUnits());
    assertEquals(
        "invalid prover.compute_capacity.compute_units '1000001' (from command line): "
            + "compute_units 1000001 exceeds the limit of 1000000",
        error(Map.of(), LayeredConfig.flags("prover.compute_capacity.compute_units", "1000001")));
  }

  @Test
  void unknownKeyInTheFileIsRejected() throws Exception {
    Path file = Files.writeString(dir.resolve("w.toml"), "[prover]\ncompute_unit = 3\n");

    ConfigException e =
        assertThrows(ConfigException.class, () -> WorkerConfig.load(Map.of(), file, Map.of()));

    assertTrue(e.getMessage().contains("prover.compute_unit"), e.getMessage());
  }

  @Test
  void aLongReconnectIntervalRaisesTheDefaultCap() {
    WorkerConfig config =
        WorkerConfig.load(Map.of("DISTRIBUTED_RECONNECT_INTERVAL_SECONDS", "120"), null, Map.of());

    assertEquals(Duration.ofSeconds(120), config.maxReconnectInterval());
  }

  private static String error(Map<String, String> env, Map<String, String> flags) {
    return assertThrows(ConfigException.class, () -> WorkerConfig.load(env, null, flags))
        .getMessage();
  }

  @Test
  void tokenComesFromTheEnvironmentTheFileOrTheFlagAndIsNeverPrinted() throws Exception {
    Path file = Files.writeString(dir.resolve("worker.toml"), "[auth]\ntoken = \"from-file\"\n");

    WorkerConfig none = WorkerConfig.load(Map.of(), null, Map.of());
    WorkerConfig fromEnv =
        WorkerConfig.load(Map.of("DISTRIBUTED_TOKEN", "from-env"), null, Map.of());
    WorkerConfig fromFile = WorkerConfig.load(Map.of(), file, Map.of());
    WorkerConfig fromFlag =
        WorkerConfig.load(Map.of(), file, LayeredConfig.flags("auth.token", "from-flag"));

    assertEquals(Optional.empty(), none.token());
    assertTrue(fromEnv.token().isPresent());
    assertTrue(fromFile.token().isPresent());
    assertTrue(fromFlag.token().isPresent());
    assertFalse(fromFlag.toString().contains("from-flag"), fromFlag.toString());
  }

  @Test
  void badTokenNamesTheSettingButNotTheSecret() {
    ConfigException error =
        assertThrows(
            ConfigException.class,
            () ->
                WorkerConfig.load(
                    Map.of("DISTRIBUTED_TOKEN", "secret with spaces"), null, Map.of()));

    assertTrue(
        error.getMessage().contains("auth.token")
            && error.getMessage().contains("DISTRIBUTED_TOKEN"),
        error.getMessage());
    assertFalse(error.getMessage().contains("secret with"), error.getMessage());
  }
}
