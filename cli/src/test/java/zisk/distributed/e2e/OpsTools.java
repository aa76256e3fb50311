package zisk.distributed.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The operations tools the ops/ tests use (Debian's {@code prometheus} package: {@code promtool},
 * {@code prometheus}). Absent, the tests are skipped, unless {@code ZISK_REQUIRE_OPS_TOOLS=1} (CI),
 * where they fail.
 */
final class OpsTools {

  /** The repository's ops/ directory; tests run in the cli module's directory. */
  static final Path OPS = Path.of("..", "ops").toAbsolutePath().normalize();

  private OpsTools() {}

  /** The tool's path on PATH; skips the test (or fails it, when required) if it is missing. */
  static Path require(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(dir, tool);
      if (!dir.isEmpty() && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    if ("1".equals(System.getenv("ZISK_REQUIRE_OPS_TOOLS"))) {
      fail(tool + " is not on the PATH and ZISK_REQUIRE_OPS_TOOLS=1 (apt-get install prometheus)");
    }
    Assumptions.abort(tool + " is not on the PATH (apt-get install prometheus); skipped");
    throw new AssertionError("unreachable");
  }

  /** Runs {@code command} to its end (at most a minute) and asserts it exits 0; answers output. */
  static String run(List<String> command) throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail(String.join(" ", command) + " did not finish within a minute");
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, process.exitValue(), String.join(" ", command) + ":\n" + output);
    return output;
  }
}
