package zisk.distributed.coordinator.verification;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zisk.distributed.coordinator.verification.ProofVerdict.Outcome;

/** The command verifier's contract, with real scripts. */
class CommandProofVerifierTest {

  private static final byte[] PROOF = {1, 2, 3, 4, 5, 6};

  @TempDir Path dir;
  private Path inputs;

  @BeforeEach
  void createInputs() throws Exception {
    inputs = Files.createDirectory(dir.resolve("inputs"));
    Files.createDirectory(inputs.resolve("relative"));
    Files.writeString(inputs.resolve("relative/input.toml"), "lanes = 1\n");
    Files.writeString(inputs.resolve("in"), "lanes = 1\n");
  }

  @Test
  void exitZeroIsValidAndTheScriptGetsTheInputAndTheProofAsItsLastTwoArguments() throws Exception {
    Path seen = dir.resolve("seen");
    Path script =
        script(
            "echo \"$1\" > "
                + seen
                + ".flag; echo \"$2\" > "
                + seen
                + ".input; cp \"$3\" "
                + seen
                + ".proof; exit 0");

    ProofVerdict verdict =
        verifier(List.of(script.toString(), "--strict"), Duration.ofSeconds(10))
            .verify("relative/input.toml", PROOF);

    assertEquals(Outcome.VALID, verdict.outcome(), verdict.detail());
    assertEquals("--strict", Files.readString(Path.of(seen + ".flag")).strip());
    assertArrayEquals(PROOF, Files.readAllBytes(Path.of(seen + ".proof")));
    assertEquals(
        inputs.resolve("relative/input.toml").toRealPath().toString(),
        Files.readString(Path.of(seen + ".input")).strip());
  }

  @Test
  void exitOneIsInvalidWithAnExcerptOfWhatTheScriptSaid() throws Exception {
    Path script = script("echo 'lane 3 does not open'; exit 1");

    ProofVerdict verdict =
        verifier(List.of(script.toString()), Duration.ofSeconds(10)).verify("in", PROOF);

    assertEquals(Outcome.INVALID, verdict.outcome());
    assertEquals(
        "the verify command rejected the proof (exit 1): lane 3 does not open", verdict.detail());
  }

  @Test
  void anyOtherExitStatusIsAVerifierFailure() throws Exception {
    Path script = script("echo 'license expired' >&2; exit 2");

    ProofVerdict verdict =
        verifier(List.of(script.toString()), Duration.ofSeconds(10)).verify("in", PROOF);

    assertEquals(Outcome.VERIFIER_FAILED, verdict.outcome());
    assertEquals("the verify command failed (exit 2): license expired", verdict.detail());
  }

  @Test
  void aScriptThatOutlivesTheTimeLimitIsKilledAndCountsAsAVerifierFailure() throws Exception {
    Path script = script("sleep 300; exit 0");
    long started = System.nanoTime();

    ProofVerdict verdict =
        verifier(List.of(script.toString()), Duration.ofSeconds(1)).verify("in", PROOF);

    assertEquals(Outcome.VERIFIER_FAILED, verdict.outcome());
    assertEquals("the verify command did not finish within 1 s (killed)", verdict.detail());
    assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofSeconds(30)) < 0);
  }

  @Test
  void aMissingProgramIsAVerifierFailure() throws Exception {
    ProofVerdict verdict =
        verifier(List.of(dir.resolve("missing-verifier").toString()), Duration.ofSeconds(5))
            .verify("in", PROOF);

    assertEquals(Outcome.VERIFIER_FAILED, verdict.outcome());
    assertTrue(verdict.detail().startsWith("cannot run the verify command"), verdict.detail());
  }

  @Test
  void aFloodOfOutputIsCutAndCleanedBeforeItReachesTheVerdict() throws Exception {
    Path script =
        script("printf 'bad\\000proof\\n'; head -c 100000 /dev/zero | tr '\\0' y; exit 1");

    ProofVerdict verdict =
        verifier(List.of(script.toString()), Duration.ofSeconds(10)).verify("in", PROOF);

    assertEquals(Outcome.INVALID, verdict.outcome());
    assertTrue(verdict.detail().length() <= VerifierText.MAX_CHARS + 2, verdict.detail());
    assertTrue(verdict.detail().contains("bad proof"), verdict.detail());
    assertFalse(verdict.detail().contains("\0"));
  }

  @Test
  void theProofFileIsDeletedAfterwards() throws Exception {
    Path kept = dir.resolve("proof-path");
    Path script = script("echo \"$2\" > " + kept + "; exit 0");

    verifier(List.of(script.toString()), Duration.ofSeconds(10)).verify("in", PROOF);

    assertFalse(Files.exists(Path.of(Files.readString(kept).strip())));
  }

  @Test
  void anInputOutsideTheInputsDirectoriesIsAVerifierFailureAndTheScriptNeverRuns()
      throws Exception {
    Path ran = dir.resolve("ran");
    Path script = script("touch " + ran + "; exit 0");
    Path secret = Files.writeString(dir.resolve("secret"), "root:s3cr3t-hash\n");
    Files.createSymbolicLink(inputs.resolve("link"), secret);

    for (String path :
        List.of(secret.toString(), "../secret", "link", "/etc/passwd", "missing", "/dev/zero")) {
      ProofVerdict verdict =
          verifier(List.of(script.toString()), Duration.ofSeconds(10)).verify(path, PROOF);

      assertEquals(Outcome.VERIFIER_FAILED, verdict.outcome(), path);
      assertTrue(
          verdict
              .detail()
              .startsWith("the verify command cannot be given the job's input: input_path "),
          verdict.detail());
      assertFalse(verdict.detail().contains("s3cr3t"), verdict.detail());
    }
    assertEquals(
        "the verify command cannot be given the job's input: input_path is outside the"
            + " coordinator's inputs directories",
        verifier(List.of(script.toString()), Duration.ofSeconds(10))
            .verify("../secret", PROOF)
            .detail());
    assertFalse(Files.exists(ran));
  }

  private CommandProofVerifier verifier(List<String> command, Duration timeout) {
    return new CommandProofVerifier(command, timeout, List.of(inputs));
  }

  private Path script(String body) throws Exception {
    Path script = Files.createTempFile(dir, "verify-", ".sh");
    Files.writeString(script, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    return script;
  }
}
