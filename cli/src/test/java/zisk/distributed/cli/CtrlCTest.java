package zisk.distributed.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** Ctrl-C (SIGINT) during `zisk watch`: the job keeps running, the hint says how to follow it. */
class CtrlCTest {

  @TempDir Path dir;

  @Test
  @EnabledOnOs({OS.LINUX, OS.MAC})
  void sigintWhileWatchingPrintsHowToWatchAgainAndExits130() throws Exception {
    assumeFalse(
        sigintIgnored(),
        "SIGINT is ignored in this build (started in the background by a script, or under nohup):"
            + " `zisk watch` inherits that, as a background job should, and Ctrl-C cannot be tried");
    try (FakeCoordinator fake = new FakeCoordinator()) {
      fake.holdWatch = true;
      Path stderr = dir.resolve("stderr.txt");
      Process zisk =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  Zisk.class.getName(),
                  "watch",
                  FakeCoordinator.JOB_ID,
                  "--url",
                  fake.url())
              .redirectOutput(new File("/dev/null"))
              .redirectError(stderr.toFile())
              .start();
      try {
        await("the watch to start")
            .atMost(Duration.ofSeconds(60))
            .until(() -> fake.watchCalls.get() == 1);

        new ProcessBuilder("kill", "-INT", Long.toString(zisk.pid())).start().waitFor();

        assertTrue(zisk.waitFor(30, TimeUnit.SECONDS), "zisk exits");
        assertEquals(130, zisk.exitValue());
        String hint = Files.readString(stderr, StandardCharsets.UTF_8);
        assertTrue(
            hint.contains(
                "keeps running. Follow it again with: zisk watch "
                    + FakeCoordinator.JOB_ID
                    + " --url "
                    + fake.url()),
            hint);
      } finally {
        zisk.destroyForcibly();
      }
    }
  }

  /**
   * Whether this process ignores SIGINT (Linux: its bit in SigIgn of /proc/self/status). A process
   * started in the background by a non-interactive shell does, and its children inherit it: the JVM
   * then keeps SIGINT ignored rather than installing its handler.
   */
  private static boolean sigintIgnored() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.isReadable(status)) {
      return false;
    }
    return Files.readAllLines(status).stream()
        .filter(line -> line.startsWith("SigIgn:"))
        .map(line -> Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16))
        .anyMatch(mask -> (mask & (1L << 1)) != 0); // bit n - 1 for signal n; SIGINT is 2
  }
}
