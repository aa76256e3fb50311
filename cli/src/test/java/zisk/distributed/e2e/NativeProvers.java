package zisk.distributed.e2e;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import zisk.distributed.cli.Zisk;
import zisk.distributed.worker.config.NativeProverConfig;

/** Native prover settings the end-to-end tests share: 1 s graces, generous start and phases. */
final class NativeProvers {

  static final Duration GRACE = Duration.ofSeconds(1);

  private NativeProvers() {}

  static NativeProverConfig config(List<String> command, Map<String, String> env) {
    return new NativeProverConfig(
        command,
        Optional.empty(),
        env,
        Optional.empty(),
        Duration.ofSeconds(60),
        GRACE,
        GRACE,
        new NativeProverConfig.Timeouts(
            Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(60)));
  }

  /** {@code zisk reference-prover} as a child JVM on this test's class path. */
  static List<String> referenceProver() {
    String surefire = System.getProperty("surefire.test.class.path");
    String classPath =
        surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    return List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-cp",
        classPath,
        Zisk.class.getName(),
        "reference-prover");
  }
}
