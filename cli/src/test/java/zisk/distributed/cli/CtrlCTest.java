package zisk.distributed.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
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
}
