package zisk.distributed.coordinator.verification;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner of verifier programs, with real processes. */
class VerifierProcessTest {

  @TempDir Path dir;

  @Test
  void reportsTheExitStatusAndTheOutputOfBothStreams() throws Exception {
    VerifierProcess.Result result =
        VerifierProcess.run(
            List.of("sh", "-c", "echo out; echo err >&2; exit 3"), Duration.ofSeconds(10), 100);

    assertEquals(VerifierProcess.Ending.EXITED, result.ending());
    assertEquals(3, result.exitCode());
    assertTrue(result.output().contains("out"), result.output());
    assertTrue(result.output().contains("err"), result.output());
  }

  @Test
  void keepsOnlyTheFirstBytesOfALargeOutputAndStillLetsTheProgramFinish() throws Exception {
    // 4 MB through a 64 KB pipe: a runner that stopped reading would block the program forever.
    VerifierProcess.Result result =
        VerifierProcess.run(
            List.of("sh", "-c", "head -c 4000000 /dev/zero | tr '\\0' x; exit 0"),
            Duration.ofSeconds(30),
            100);

    assertEquals(VerifierProcess.Ending.EXITED, result.ending());
    assertEquals(0, result.exitCode());
    assertEquals("x".repeat(100), result.output());
    assertEquals(4_000_000, result.outputBytes());
  }

  @Test
  void killsTheWholeProcessTreeWhenTheTimeRunsOut() throws Exception {
    Path childPid = dir.resolve("child.pid");
    // The program starts a child that would outlive it, and both sleep far past the limit.
    VerifierProcess.Result result =
        VerifierProcess.run(
            List.of("sh", "-c", "sleep 300 & echo $! > " + childPid + "; echo started; wait"),
            Duration.ofMillis(700),
            100);

    assertEquals(VerifierProcess.Ending.TIMED_OUT, result.ending());
    assertEquals("started\n", result.output());
    long pid = Long.parseLong(Files.readString(childPid).strip());
    await("the child to be killed")
        .atMost(Duration.ofSeconds(10))
        .until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
  }

  @Test
  void aProgramThatCannotStartIsReportedNotThrown() throws Exception {
    VerifierProcess.Result result =
        VerifierProcess.run(
            List.of(dir.resolve("no-such-verifier").toString()), Duration.ofSeconds(5), 100);

    assertEquals(VerifierProcess.Ending.FAILED_TO_START, result.ending());
    assertFalse(result.problem().isEmpty());
  }
}
