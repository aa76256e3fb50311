package zisk.distributed.worker.prover.nativeprover;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import zisk.distributed.worker.config.NativeProverConfig;

/** Native prover settings that run {@link FakeProver} in a child JVM, with short limits. */
final class FakeProvers {

  static final Duration CANCEL_GRACE = Duration.ofSeconds(1);
  static final Duration KILL_GRACE = Duration.ofSeconds(1);

  private FakeProvers() {}

  /** {@code java -cp <test classes> FakeProver mode}, small and quick to start. */
  static List<String> command(String mode) {
    return List.of(
        javaBinary(),
        "-Xmx256m",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-XX:-UsePerfData",
        "-cp",
        testClasses(),
        FakeProver.class.getName(),
        mode);
  }

  static NativeProverConfig config(String mode, Map<String, String> env) {
    return new NativeProverConfig(
        command(mode),
        Optional.empty(),
        env,
        Optional.empty(),
        Duration.ofSeconds(20),
        CANCEL_GRACE,
        KILL_GRACE,
        new NativeProverConfig.Timeouts(
            Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(60)));
  }

  private static String testClasses() {
    try {
      return Path.of(FakeProver.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String javaBinary() {
    return ProcessHandle.current()
        .info()
        .command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }
}
