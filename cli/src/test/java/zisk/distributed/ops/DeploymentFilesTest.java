package zisk.distributed.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.yaml.snakeyaml.Yaml;
import zisk.distributed.api.v1.ZiskDistributedApiGrpc;

/**
 * The deployment files (docker-compose.yml, ops/docker, ops/k8s, ops/systemd) say what the program
 * does: every `zisk` command they run exists with the options they pass, every DISTRIBUTED_*
 * variable they set is read, and the Kubernetes objects fit together. Where docker-compose (and
 * promtool) are installed, their own validation runs too; ZISK_REQUIRE_OPS_TOOLS=1 (set by .ci/run
 * when it installed them) turns a missing tool into a failure.
 */
class DeploymentFilesTest {

  private static final Path ROOT = OpsFiles.root();
  private static final String ZISK_IMAGE = "zisk-distributed:local";
  private static final Pattern VARIABLE =
      Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*)|(:?\\?)[^}]*)?}");

  @TempDir Path temp;

  // --- docker-compose.yml
  // -------------------------------------------------------------------------

  @Test
  void composeRunsTheDatabaseTwoCoordinatorsTwoWorkersAndMonitoringOnAProfile() {
    Map<String, Object> services = map(compose().get("services"));

    assertEquals(
        Set.of(
            "db",
            "coordinator-1",
            "coordinator-2",
            "worker-1",
            "worker-2",
            "prometheus",
            "grafana"),
        services.keySet());
    Map<String, Object> db = map(services.get("db"));
    assertEquals("postgres:17", db.get("image"));
    assertTrue(list(db.get("volumes")).contains("pgdata:/var/lib/postgresql/data"));
    assertTrue(map(compose().get("volumes")).containsKey("pgdata"), "pgdata is a named volume");
    assertTrue(
        String.valueOf(map(db.get("healthcheck")).get("test")).contains("pg_isready"),
        "db health check");

    for (int i = 1; i <= 2; i++) {
      Map<String, Object> coordinator = map(services.get("coordinator-" + i));
      assertEquals(ZISK_IMAGE, coordinator.get("image"));
      assertEquals(List.of((50050 + i) + ":50051"), coordinator.get("ports"));
      assertEquals(
          "service_healthy", map(map(coordinator.get("depends_on")).get("db")).get("condition"));
      List<String> command = strings(coordinator.get("command"));
      assertEquals("coordinator", command.get(0));
      assertEquals("9400", valueOf(command, "--metrics-port").orElse(null));
      assertEquals("50051", valueOf(command, "--port").orElse(null));

      Map<String, Object> worker = map(services.get("worker-" + i));
      assertEquals(ZISK_IMAGE, worker.get("image"));
      List<String> args = strings(worker.get("command"));
      assertEquals("worker", args.get(0));
      String urls = valueOf(args, "--url").orElse("");
      assertTrue(
          urls.contains("http://coordinator-1:50051")
              && urls.contains("http://coordinator-2:50051"),
          "worker-" + i + " lists both coordinators: " + urls);
      assertEquals("reference", valueOf(args, "--backend").orElse(null));
      assertEquals("9401", valueOf(args, "--metrics-port").orElse(null));
      assertTrue(list(worker.get("volumes")).contains("inputs:/var/lib/zisk/inputs"));
    }

    Map<String, Object> prometheus = map(services.get("prometheus"));
    Map<String, Object> grafana = map(services.get("grafana"));
    assertTrue(String.valueOf(prometheus.get("image")).startsWith("prom/prometheus"));
    assertTrue(String.valueOf(grafana.get("image")).startsWith("grafana/grafana"));
    assertEquals(List.of("monitoring"), prometheus.get("profiles"));
    assertEquals(List.of("monitoring"), grafana.get("profiles"));
    assertTrue(list(prometheus.get("volumes")).contains("./ops/prometheus:/etc/prometheus:ro"));
    assertTrue(
        list(grafana.get("volumes"))
            .containsAll(
                List.of(
                    "./ops/grafana/provisioning:/etc/grafana/provisioning:ro",
                    "./ops/grafana/dashboards:/var/lib/grafana/dashboards:ro")));
  }

  @Test
  void composeTakesItsSecretsFromEnvAndEnvExampleNamesThemAll() {
    String text = OpsFiles.read(ROOT.resolve("docker-compose.yml"));
    Set<String> example = new TreeSet<>();
    for (String line : OpsFiles.read(ROOT.resolve(".env.example")).split("\n")) {
      String stripped = line.replaceFirst("^#\\s*", "");
      if (stripped.matches("[A-Z_][A-Z0-9_]*=.*")) {
        example.add(stripped.substring(0, stripped.indexOf('=')));
      }
    }
    Matcher variable = VARIABLE.matcher(text);
    Set<String> used = new TreeSet<>();
    while (variable.find()) {
      used.add(variable.group(1));
    }

    assertTrue(example.containsAll(used), "missing from .env.example: " + minus(used, example));
    assertTrue(
        used.containsAll(List.of("POSTGRES_PASSWORD", "ZISK_ADMIN_TOKEN", "ZISK_PROVER_TOKEN")));
    assertFalse(
        Pattern.compile("(?m)^\\s*[A-Z_]*(PASSWORD|TOKEN)[A-Z_]*:\\s+(?!\\$\\{)\\S")
            .matcher(text)
            .find(),
        "no literal password or token in docker-compose.yml");
    assertTrue(
        OpsFiles.read(ROOT.resolve(".gitignore")).lines().anyMatch(".env"::equals),
        ".env is git-ignored");
  }

  @Test
  void composeSetsOnlyVariablesTheProgramsRead() {
    Map<String, Object> services = map(compose().get("services"));
    for (String name : List.of("coordinator-1", "coordinator-2")) {
      assertKnownVariables(
          map(map(services.get(name)).get("environment")).keySet(),
          ZiskCommands.coordinatorVariables(),
          "docker-compose.yml " + name);
    }
    for (String name : List.of("worker-1", "worker-2")) {
      assertKnownVariables(
          map(map(services.get(name)).get("environment")).keySet(),
          ZiskCommands.workerVariables(),
          "docker-compose.yml " + name);
    }
  }

  @Test
  void composeConfigIsValidForDockerCompose() throws Exception {
    Optional<Path> tool = requiredTool("docker-compose");
    Assumptions.assumeTrue(tool.isPresent(), "docker-compose is not installed");

    Result result =
        run(
            List.of(
                tool.get().toString(),
                "--env-file",
                ".env.example",
                "-f",
                "docker-compose.yml",
                "--profile",
                "monitoring",
                "config",
                "-q"));

    assertEquals(0, result.status(), "docker-compose config -q: " + result.output());
  }

  @Test
  void prometheusConfigIsValidForPromtool() throws Exception {
    Path config = ROOT.resolve("ops/prometheus/prometheus.yml");
    Assumptions.assumeTrue(Files.exists(config), "no ops/prometheus/prometheus.yml");
    Optional<Path> tool = requiredTool("promtool");
    Assumptions.assumeTrue(tool.isPresent(), "promtool is not installed");

    Result result = run(List.of(tool.get().toString(), "check", "config", config.toString()));

    assertEquals(0, result.status(), "promtool check config: " + result.output());
  }

  // --- every zisk command line
  // ---------------------------------------------------------------------

  @Test
  void everyZiskCommandInComposeExists() {
    Map<String, Object> services = map(compose().get("services"));
    for (Map.Entry<String, Object> service : services.entrySet()) {
      Map<String, Object> spec = map(service.getValue());
      if (!ZISK_IMAGE.equals(spec.get("image"))) {
        continue;
      }
      String where = "docker-compose.yml " + service.getKey();
      Object entrypoint = spec.get("entrypoint");
      assertTrue(
          entrypoint == null || List.of("zisk-with-env-tokens").equals(entrypoint),
          where + ": entrypoint " + entrypoint);
      ZiskCommands.assertAccepted(strings(spec.get("command")), where);
      Object health = spec.get("healthcheck");
      if (health != null && map(health).get("test") != null) {
        List<String> test = strings(map(health).get("test"));
        assertEquals(List.of("CMD", "zisk"), test.subList(0, 2), where + " health check");
        ZiskCommands.assertAccepted(test.subList(2, test.size()), where + " health check");
      }
    }
  }

  @Test
  void theCommandCheckCatchesUnknownCommandsAndOptions() {
    assertThrows(
        AssertionFailedError.class,
        () -> ZiskCommands.assertAccepted(List.of("coordinatr", "--port", "1"), "test"));
    assertThrows(
        AssertionFailedError.class,
        () -> ZiskCommands.assertAccepted(List.of("worker", "--no-such-option", "1"), "test"));
    assertThrows(
        AssertionFailedError.class,
        () -> ZiskCommands.assertAccepted(List.of("health", "--timeout-seconds", "x"), "test"));
    ZiskCommands.assertAccepted(List.of("worker", "--metrics-port", "9401"), "a pending option");
  }

  @Test
  void everyZiskCommandInTheDockerfilesExists() {
    for (String name : List.of("Dockerfile", "Dockerfile.gpu-worker")) {
      String where = "ops/docker/" + name;
      List<String> instructions = dockerInstructions(ROOT.resolve(where));
      assertTrue(
          instructions.contains("ENTRYPOINT [\"zisk\"]"), where + ": ENTRYPOINT the launcher");
      assertTrue(instructions.contains("USER zisk"), where + ": runs as the zisk user");
      for (String instruction : instructions) {
        if (instruction.startsWith("CMD [")) {
          ZiskCommands.assertAccepted(jsonArray(instruction.substring(4)), where + " CMD");
        }
        if (instruction.startsWith("HEALTHCHECK")) {
          List<String> words =
              OpsFiles.words(instruction.substring(instruction.indexOf(" CMD ") + 5));
          int zisk = words.indexOf("zisk");
          int end = words.contains("||") ? words.indexOf("||") : words.size();
          assertTrue(zisk >= 0, where + ": the health check runs zisk health");
          assertEquals("health", words.get(zisk + 1), where + " HEALTHCHECK");
          ZiskCommands.assertAccepted(words.subList(zisk + 1, end), where + " HEALTHCHECK");
        }
      }
    }
    List<String> main = dockerInstructions(ROOT.resolve("ops/docker/Dockerfile"));
    assertTrue(main.stream().anyMatch(i -> i.startsWith("HEALTHCHECK")), "image health check");
    assertTrue(
        main.stream().anyMatch(i -> i.matches("FROM \\$\\{JRE_IMAGE}")), "runtime from a JRE");
    assertTrue(
        main.stream().anyMatch(i -> i.startsWith("ARG JRE_IMAGE=eclipse-temurin:17-jre")),
        "a Java 17 runtime");
  }

  // --- Kubernetes
  // ----------------------------------------------------------------------------------

  @Test
  void kubernetesCoordinatorsAreTwoReplicasProbedOnTheHealthServiceBehindAServiceAndABudget()
      throws IOException {
    List<JsonNode> objects = kubernetesObjects();
    JsonNode deployment = only(objects, "Deployment", "zisk-coordinator");
    JsonNode labels = deployment.at("/spec/template/metadata/labels");

    assertEquals(2, deployment.at("/spec/replicas").asInt());
    assertSelects(deployment.at("/spec/selector/matchLabels"), labels, "coordinator Deployment");
    assertSelects(
        only(objects, "PodDisruptionBudget", "zisk-coordinator").at("/spec/selector/matchLabels"),
        labels,
        "PodDisruptionBudget");
    JsonNode service = only(objects, "Service", "zisk-coordinator");
    assertSelects(service.at("/spec/selector"), labels, "Service");

    JsonNode container = deployment.at("/spec/template/spec/containers/0");
    ZiskCommands.assertAccepted(strings(container.get("args")), "ops/k8s coordinator args");
    Set<Integer> ports = new TreeSet<>();
    Set<String> portNames = new TreeSet<>();
    container.get("ports").forEach(p -> ports.add(p.get("containerPort").asInt()));
    container.get("ports").forEach(p -> portNames.add(p.get("name").asText()));
    for (String probe : List.of("readinessProbe", "livenessProbe")) {
      JsonNode grpc = container.at("/" + probe + "/grpc");
      assertTrue(grpc.isObject(), probe + " uses Kubernetes' gRPC health probe");
      assertTrue(ports.contains(grpc.get("port").asInt()), probe + " on the gRPC port");
      if (grpc.has("service")) {
        assertEquals(ZiskDistributedApiGrpc.SERVICE_NAME, grpc.get("service").asText(), probe);
      }
    }
    service
        .at("/spec/ports")
        .forEach(
            p ->
                assertTrue(
                    portNames.contains(p.get("targetPort").asText())
                        || ports.contains(p.get("targetPort").asInt()),
                    "Service port " + p.get("name") + " targets a container port"));
    assertKnownVariables(
        envNames(container), ZiskCommands.coordinatorVariables(), "ops/k8s coordinator env");
  }

  @Test
  void kubernetesWorkersAskForGpusAndRunAKnownCommand() throws IOException {
    List<JsonNode> objects = kubernetesObjects();
    JsonNode deployment = only(objects, "Deployment", "zisk-worker");
    JsonNode container = deployment.at("/spec/template/spec/containers/0");

    assertSelects(
        deployment.at("/spec/selector/matchLabels"),
        deployment.at("/spec/template/metadata/labels"),
        "worker Deployment");
    assertTrue(container.at("/resources/limits/nvidia.com~1gpu").asInt() >= 1, "GPU limit");
    ZiskCommands.assertAccepted(strings(container.get("args")), "ops/k8s worker args");
    assertKnownVariables(envNames(container), ZiskCommands.workerVariables(), "ops/k8s worker env");

    // Every Secret key and ConfigMap the pods name exists in the examples.
    JsonNode secret = only(objects, "Secret", "zisk-secrets");
    JsonNode configMap = only(objects, "ConfigMap", "zisk-config");
    Set<String> shared = new TreeSet<>(ZiskCommands.coordinatorVariables());
    shared.addAll(ZiskCommands.workerVariables());
    configMap.get("data").fieldNames().forEachRemaining(n -> assertTrue(shared.contains(n), n));
    for (JsonNode object : objects) {
      if (!object.get("kind").asText().equals("Deployment")) {
        continue;
      }
      for (JsonNode env : object.at("/spec/template/spec/containers/0/env")) {
        JsonNode ref = env.at("/valueFrom/secretKeyRef");
        if (!ref.isMissingNode()) {
          assertEquals("zisk-secrets", ref.get("name").asText());
          assertTrue(secret.at("/stringData").has(ref.get("key").asText()), ref.toString());
        }
      }
    }
  }

  @Test
  void kubernetesObjectsAreWellFormed() throws IOException {
    for (JsonNode object : kubernetesObjects()) {
      assertTrue(object.hasNonNull("apiVersion") && object.hasNonNull("kind"), object.toString());
      assertEquals("zisk", object.at("/metadata/namespace").asText("zisk"), object.toString());
      assertFalse(object.at("/metadata/name").asText().isEmpty(), object.toString());
    }
  }

  // --- systemd
  // -------------------------------------------------------------------------------------

  @Test
  void systemdUnitsRunKnownCommandsAndRestartOnFailure() {
    for (String role : List.of("coordinator", "worker")) {
      String where = "ops/systemd/zisk-" + role + ".service";
      Map<String, Map<String, List<String>>> unit = OpsFiles.unit(ROOT.resolve(where));
      Map<String, List<String>> service = unit.get("Service");
      assertNotNull(service, where + " [Service]");

      List<String> exec = OpsFiles.words(single(service, "ExecStart", where));
      assertEquals("/usr/local/bin/zisk", exec.get(0), where);
      assertEquals(role, exec.get(1), where);
      ZiskCommands.assertAccepted(exec.subList(1, exec.size()), where + " ExecStart");
      assertEquals("on-failure", single(service, "Restart", where));
      assertEquals("zisk", single(service, "User", where));
      assertTrue(service.containsKey("EnvironmentFile"), where + ": secrets from a file");
      assertEquals("multi-user.target", single(unit.get("Install"), "WantedBy", where));
    }
    Map<String, List<String>> worker =
        OpsFiles.unit(ROOT.resolve("ops/systemd/zisk-worker.service")).get("Service");
    assertEquals("infinity", single(worker, "LimitMEMLOCK", "zisk-worker.service"));
  }

  @Test
  void systemdAcceptsTheUnits() throws Exception {
    Optional<Path> tool = onPath("systemd-analyze");
    Assumptions.assumeTrue(tool.isPresent(), "systemd-analyze is not installed");
    List<String> command = new ArrayList<>(List.of(tool.get().toString(), "verify", "--man=no"));
    for (String unit : List.of("zisk-coordinator.service", "zisk-worker.service")) {
      Path copy = temp.resolve(unit);
      Files.copy(ROOT.resolve("ops/systemd").resolve(unit), copy);
      command.add(copy.toString());
    }

    Result result = run(new ProcessBuilder(command).directory(temp.toFile()));

    // The launcher is not installed on a build machine; anything else is a mistake in a unit.
    List<String> problems =
        result
            .output()
            .lines()
            .filter(line -> !line.isBlank())
            .filter(line -> !line.contains("/usr/local/bin/zisk is not executable"))
            .toList();
    assertEquals(List.of(), problems, "systemd-analyze verify");
  }

  // --- the coordinator's tokens from the environment
  // -----------------------------------------------

  @Test
  void composeEntrypointWritesTokensTheCoordinatorAccepts() throws Exception {
    Assumptions.assumeTrue(
        Files.isExecutable(Path.of("/bin/sh")) && onPath("sha256sum").isPresent(),
        "needs sh and sha256sum");
    Path bin = Files.createDirectories(temp.resolve("bin"));
    Path fakeZisk = bin.resolve("zisk");
    // Stands in for the launcher: shows the tokens file and that the secrets left the environment.
    Files.writeString(
        fakeZisk,
        "#!/bin/sh\necho \"args: $*\"\necho \"secret left: ${ZISK_PROVER_TOKEN:-none}\"\n"
            + "cat \"$DISTRIBUTED_AUTH_TOKENS_FILE\"\n");
    assertTrue(fakeZisk.toFile().setExecutable(true));
    Path tokens = temp.resolve("tokens.toml");
    ProcessBuilder builder =
        new ProcessBuilder(
            "/bin/sh", ROOT.resolve("ops/docker/zisk-with-env-tokens").toString(), "coordinator");
    builder.environment().put("PATH", bin + File.pathSeparator + System.getenv("PATH"));
    builder.environment().put("ZISK_TOKENS_FILE_OUT", tokens.toString());
    builder.environment().put("ZISK_ADMIN_TOKEN", "admin-secret-1");
    builder.environment().put("ZISK_PROVER_TOKEN", "prover-secret-2");
    builder.environment().put("ZISK_CLIENT_TOKEN", "");

    Result result = run(builder);

    assertEquals(0, result.status(), result.output());
    assertTrue(result.output().contains("args: coordinator"), result.output());
    assertTrue(result.output().contains("secret left: none"), result.output());
    assertFalse(result.output().contains("prover-secret-2"), "only hashes in the file");
    var auth =
        zisk.distributed.coordinator.config.CoordinatorSettings.resolve(
                Map.of("DISTRIBUTED_AUTH_TOKENS_FILE", tokens.toString()), null, Map.of())
            .auth();
    assertEquals(List.of("admin", "provers"), auth.tokens().stream().map(t -> t.name()).toList());
    assertEquals(
        zisk.distributed.coordinator.testing.BearerTokens.token(
                "provers",
                zisk.distributed.coordinator.config.AuthConfig.Role.PROVER,
                "prover-secret-2")
            .sha256(),
        auth.tokens().get(1).sha256());
  }

  // --- helpers
  // -------------------------------------------------------------------------------------

  /**
   * docker-compose.yml with its variables replaced (defaults, else "x") and merge keys resolved.
   */
  private static Map<String, Object> compose() {
    String text = OpsFiles.read(ROOT.resolve("docker-compose.yml"));
    Matcher variable = VARIABLE.matcher(text);
    StringBuilder interpolated = new StringBuilder();
    while (variable.find()) {
      String value = variable.group(2) != null ? variable.group(3) : "x";
      if (variable.group(1).equals("ZISK_IMAGE")) {
        value = ZISK_IMAGE;
      }
      variable.appendReplacement(interpolated, Matcher.quoteReplacement(value));
    }
    variable.appendTail(interpolated);
    return map(new Yaml().load(interpolated.toString().replace("$$", "$")));
  }

  private static List<JsonNode> kubernetesObjects() throws IOException {
    List<JsonNode> objects = new ArrayList<>();
    YAMLMapper yaml = new YAMLMapper();
    try (Stream<Path> files = Files.list(ROOT.resolve("ops/k8s"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        try (var values = yaml.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile())) {
          while (values.hasNext()) {
            JsonNode object = values.next();
            if (object != null && !object.isNull() && !object.isEmpty()) {
              objects.add(object);
            }
          }
        }
      }
    }
    assertFalse(objects.isEmpty(), "ops/k8s has manifests");
    return objects;
  }

  private static JsonNode only(List<JsonNode> objects, String kind, String name) {
    List<JsonNode> found =
        objects.stream()
            .filter(o -> o.get("kind").asText().equals(kind))
            .filter(o -> o.at("/metadata/name").asText().equals(name))
            .toList();
    assertEquals(1, found.size(), "one " + kind + " " + name);
    return found.get(0);
  }

  private static void assertSelects(JsonNode selector, JsonNode labels, String what) {
    assertTrue(selector.isObject() && !selector.isEmpty(), what + " has a selector");
    selector
        .fields()
        .forEachRemaining(
            e ->
                assertEquals(
                    e.getValue().asText(),
                    labels.path(e.getKey()).asText(null),
                    what + " selects the coordinator pods' label " + e.getKey()));
  }

  private static Set<String> envNames(JsonNode container) {
    Set<String> names = new TreeSet<>();
    container.path("env").forEach(e -> names.add(e.get("name").asText()));
    return names;
  }

  private static void assertKnownVariables(Set<String> names, Set<String> known, String where) {
    for (String name : names) {
      if (name.startsWith("DISTRIBUTED_") || name.equals("CONFIG_PATH")) {
        assertTrue(known.contains(name), where + ": " + name + " is not a setting of the program");
      }
    }
  }

  /** Dockerfile instructions, continuation lines joined, comments dropped. */
  private static List<String> dockerInstructions(Path file) {
    List<String> instructions = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : OpsFiles.read(file).split("\n")) {
      String stripped = line.strip();
      if (stripped.startsWith("#") || (stripped.isEmpty() && current.length() == 0)) {
        continue;
      }
      if (stripped.endsWith("\\")) {
        current.append(stripped, 0, stripped.length() - 1).append(' ');
        continue;
      }
      current.append(stripped);
      instructions.add(current.toString().replaceAll("\\s+", " ").strip());
      current.setLength(0);
    }
    return instructions;
  }

  private static List<String> jsonArray(String json) {
    try {
      return strings(new com.fasterxml.jackson.databind.ObjectMapper().readTree(json));
    } catch (IOException e) {
      fail("not a JSON array: " + json);
      return List.of();
    }
  }

  private static Optional<String> valueOf(List<String> args, String option) {
    int at = args.indexOf(option);
    return at < 0 || at + 1 >= args.size() ? Optional.empty() : Optional.of(args.get(at + 1));
  }

  private static String single(Map<String, List<String>> section, String key, String where) {
    List<String> values = section == null ? null : section.get(key);
    assertTrue(values != null && values.size() == 1, where + ": one " + key);
    return values.get(0);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    assertTrue(value instanceof Map, "a mapping: " + value);
    return (Map<String, Object>) value;
  }

  private static List<Object> list(Object value) {
    assertTrue(value instanceof List, "a list: " + value);
    return new ArrayList<>((List<?>) value);
  }

  private static List<String> strings(Object value) {
    if (value instanceof JsonNode node) {
      List<String> out = new ArrayList<>();
      node.forEach(n -> out.add(n.asText()));
      return out;
    }
    return list(value).stream().map(String::valueOf).toList();
  }

  private static Set<String> minus(Set<String> a, Set<String> b) {
    Set<String> out = new TreeSet<>(a);
    out.removeAll(b);
    return out;
  }

  /** The tool on PATH; absent is a failure when ZISK_REQUIRE_OPS_TOOLS=1. */
  private static Optional<Path> requiredTool(String name) {
    Optional<Path> tool = onPath(name);
    if (tool.isEmpty() && "1".equals(System.getenv("ZISK_REQUIRE_OPS_TOOLS"))) {
      fail(name + " is not on PATH and ZISK_REQUIRE_OPS_TOOLS=1");
    }
    return tool;
  }

  private static Optional<Path> onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    return Stream.of(path.split(File.pathSeparator))
        .map(dir -> Path.of(dir, name))
        .filter(Files::isExecutable)
        .findFirst();
  }

  private record Result(int status, String output) {}

  private static Result run(List<String> command) throws Exception {
    return run(new ProcessBuilder(command).directory(ROOT.toFile()));
  }

  private static Result run(ProcessBuilder builder) throws Exception {
    Path log = Files.createTempFile("zisk-ops", ".log");
    try {
      Process process = builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        fail(builder.command() + " did not finish in 120 s");
      }
      return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
