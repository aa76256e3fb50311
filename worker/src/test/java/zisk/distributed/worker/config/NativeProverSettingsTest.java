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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zisk.distributed.common.config.ConfigException;
import zisk.distributed.common.config.LayeredConfig;

class NativeProverSettingsTest {

  @TempDir Path dir;

  @Test
  void everyNativeSettingComesFromTheFile() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("worker.toml"),
            """
        [prover]
        backend = "native"

        [prover.native]
        command = ["/opt/zisk/prover", "--key", "/opt/zisk/key dir"]
        gpus = "0, 1"
        working_dir = "%s"
        startup_timeout_seconds = 600
        cancel_grace_seconds = 7
        kill_grace_seconds = 3

        [prover.native.env]
        RUST_LOG = "info"
        ZISK_CACHE = "/var/cache/zisk"

        [prover.native.timeouts]
        contribute_seconds = 100
        prove_seconds = 200
        aggregate_seconds = 300
        """
                .formatted(dir));

    WorkerConfig config = WorkerConfig.load(Map.of(), file, Map.of());
    NativeProverConfig prover = config.nativeProver();

    assertEquals("native", config.backend());
    assertEquals(List.of("/opt/zisk/prover", "--key", "/opt/zisk/key dir"), prover.command());
    assertEquals(Optional.of("0,1"), prover.gpus());
    assertEquals(Map.of("RUST_LOG", "info", "ZISK_CACHE", "/var/cache/zisk"), prover.env());
    assertEquals(Optional.of(dir), prover.workingDir());
    assertEquals(Duration.ofSeconds(600), prover.startupTimeout());
    assertEquals(Duration.ofSeconds(7), prover.cancelGrace());
    assertEquals(Duration.ofSeconds(3), prover.killGrace());
    assertEquals(
        new NativeProverConfig.Timeouts(
            Duration.ofSeconds(100), Duration.ofSeconds(200), Duration.ofSeconds(300)),
        prover.timeouts());
  }

  @Test
  void variablesAndFlagsSplitTheCommandAsAShellWouldAndFlagsWin() {
    Map<String, String> env =
        Map.of(
            "DISTRIBUTED_PROVER_BACKEND", "native",
            "DISTRIBUTED_PROVER_COMMAND", "/opt/env-prover --name 'two words'",
            "DISTRIBUTED_GPUS", "2",
            "DISTRIBUTED_PROVER_ENV", "A=1 B='x y'",
            "DISTRIBUTED_PROVER_KILL_GRACE_SECONDS", "4");

    NativeProverConfig fromEnv = WorkerConfig.load(env, null, Map.of()).nativeProver();
    NativeProverConfig fromFlags =
        WorkerConfig.load(
                env,
                null,
                LayeredConfig.flags(
                    "prover.native.command", "./zisk reference-prover",
                    "prover.native.gpus", "0,1",
                    "prover.native.env", "C=3" + LayeredConfig.LIST_SEPARATOR))
            .nativeProver();

    assertEquals(List.of("/opt/env-prover", "--name", "two words"), fromEnv.command());
    assertEquals(Optional.of("2"), fromEnv.gpus());
    assertEquals(Map.of("A", "1", "B", "x y"), fromEnv.env());
    assertEquals(Duration.ofSeconds(4), fromEnv.killGrace());
    assertEquals(List.of("./zisk", "reference-prover"), fromFlags.command());
    assertEquals(Optional.of("0,1"), fromFlags.gpus());
    assertEquals(Map.of("C", "3"), fromFlags.env());
  }

  @Test
  void defaultsAreLongEnoughForARealProver() {
    NativeProverConfig prover = WorkerConfig.load(Map.of(), null, Map.of()).nativeProver();

    assertTrue(prover.command().isEmpty());
    assertEquals(Duration.ofMinutes(30), prover.startupTimeout());
    assertEquals(Duration.ofSeconds(10), prover.cancelGrace());
    assertEquals(Duration.ofSeconds(10), prover.killGrace());
    assertEquals(Duration.ofHours(1), prover.timeouts().prove());
    assertFalse(prover.gpus().isPresent());
  }

  @Test
  void badNativeSettingsNameTheSettingAndNeverEchoEnvironmentValues() {
    ConfigException noCommand =
        assertThrows(
            ConfigException.class,
            () ->
                WorkerConfig.load(Map.of("DISTRIBUTED_PROVER_BACKEND", "native"), null, Map.of()));
    ConfigException badGpus =
        assertThrows(
            ConfigException.class,
            () -> WorkerConfig.load(Map.of("DISTRIBUTED_GPUS", "0;rm -rf"), null, Map.of()));
    ConfigException badEnv =
        assertThrows(
            ConfigException.class,
            () ->
                WorkerConfig.load(
                    Map.of("DISTRIBUTED_PROVER_ENV", "1BAD=secret-value"), null, Map.of()));
    ConfigException reserved =
        assertThrows(
            ConfigException.class,
            () ->
                WorkerConfig.load(
                    Map.of(
                        "DISTRIBUTED_GPUS", "0",
                        "DISTRIBUTED_PROVER_ENV", "CUDA_VISIBLE_DEVICES=1"),
                    null,
                    Map.of()));
    ConfigException missingDir =
        assertThrows(
            ConfigException.class,
            () ->
                WorkerConfig.load(
                    Map.of("DISTRIBUTED_PROVER_WORKING_DIR", dir.resolve("nope").toString()),
                    null,
                    Map.of()));

    assertTrue(noCommand.getMessage().contains("prover.native.command"), noCommand.getMessage());
    assertTrue(badGpus.getMessage().contains("prover.native.gpus"), badGpus.getMessage());
    assertTrue(badEnv.getMessage().contains("DISTRIBUTED_PROVER_ENV"), badEnv.getMessage());
    assertFalse(badEnv.getMessage().contains("secret-value"), badEnv.getMessage());
    assertTrue(reserved.getMessage().contains("CUDA_VISIBLE_DEVICES"), reserved.getMessage());
    assertTrue(missingDir.getMessage().contains("not a directory"), missingDir.getMessage());
  }

  @Test
  void theTemplateDocumentsEveryNativeKeyAndLoadsBackUncommented() throws Exception {
    String template = ConfigTemplate.render();
    for (var key : NativeProverSettings.KEYS) {
      assertTrue(template.contains(key.envVar()), key.envVar());
    }
    Path file = dir.resolve("worker.toml");
    Files.writeString(file, template);

    WorkerConfig config = WorkerConfig.load(Map.of(), file, Map.of());

    assertEquals(NativeProverConfig.DEFAULT, config.nativeProver());
  }

  @Test
  void theAdaptorGuidesExampleConfigsUseTheseKeys() throws Exception {
    String guide = Files.readString(Path.of("..", "docs", "native-prover.md"));
    List<String> examples =
        List.of(guide.split("```toml\n")).stream()
            .skip(1)
            .map(block -> block.substring(0, block.indexOf("```")))
            .toList();
    assertFalse(examples.isEmpty());
    for (String example : examples) {
      // Files this machine does not have, and a placeholder secret.
      String loadable =
          example
              .lines()
              .filter(line -> !line.matches("(ca_file|working_dir|token) = .*"))
              .reduce("", (all, line) -> all + line + "\n");
      Path file = Files.writeString(dir.resolve("example.toml"), loadable);

      WorkerConfig config = WorkerConfig.load(Map.of(), file, Map.of());

      assertEquals("native", config.backend(), example);
      assertTrue(config.nativeProver().gpus().isPresent(), example);
    }
  }
}
