package zisk.distributed.coordinator.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How a final proof is verified before its job may complete (README, "Proofs verified before they
 * count").
 *
 * @param verifier which verifier runs
 * @param verifyCommand the {@link Verifier#COMMAND} verifier's argument vector; the input file and
 *     the proof file are appended as its last two arguments
 * @param verifyTimeout how long the command may run before its process tree is killed
 * @param verifyConcurrency most verifications running at once
 * @param invalidProofHold how long the prover that aggregated an invalid proof gets no new work
 * @param inputsDirs where a job's {@code input_path} is looked for, with the workers' rules; a
 *     relative {@code input_path} is taken in the first
 */
public record ProofVerification(
    Verifier verifier,
    List<String> verifyCommand,
    Duration verifyTimeout,
    int verifyConcurrency,
    Duration invalidProofHold,
    List<Path> inputsDirs) {

  /** The default inputs directory, as the workers': {@code inputs} in the working directory. */
  public static final Path DEFAULT_INPUTS_DIR = Path.of("inputs");

  /** The verifiers an operator can choose. */
  public enum Verifier {
    /** The built-in verifier of the reference prover. */
    REFERENCE,
    /** An external program: exit 0 valid, 1 invalid, anything else a verifier failure. */
    COMMAND,
    /** No verification: every final proof counts (the operator's explicit choice). */
    NONE
  }

  public static final ProofVerification DEFAULT =
      new ProofVerification(
          Verifier.REFERENCE,
          List.of(),
          Duration.ofSeconds(300),
          Runtime.getRuntime().availableProcessors(),
          Duration.ofSeconds(600),
          List.of(DEFAULT_INPUTS_DIR));

  public ProofVerification {
    verifyCommand = List.copyOf(verifyCommand);
    inputsDirs = List.copyOf(inputsDirs);
    if (inputsDirs.isEmpty()) {
      throw new IllegalArgumentException("at least one inputs directory is needed");
    }
    if (verifier == Verifier.COMMAND && verifyCommand.isEmpty()) {
      throw new IllegalArgumentException("the command verifier needs a verify command");
    }
    if (verifyConcurrency < 1) {
      throw new IllegalArgumentException("verifyConcurrency must be at least 1");
    }
  }

  /** These settings, with job inputs looked for in {@code dirs}. */
  /** The same settings with another verifier (tests use {@link Verifier#NONE}). */
  public ProofVerification withVerifier(Verifier newVerifier) {
    return new ProofVerification(
        newVerifier, verifyCommand, verifyTimeout, verifyConcurrency, invalidProofHold, inputsDirs);
  }

  public ProofVerification withInputsDirs(List<Path> dirs) {
    return new ProofVerification(
        verifier, verifyCommand, verifyTimeout, verifyConcurrency, invalidProofHold, dirs);
  }

  /** These settings with one more inputs directory, after the others (uploaded inputs' files). */
  public ProofVerification withExtraInputsDir(Path dir) {
    return withInputsDirs(
        java.util.stream.Stream.concat(inputsDirs.stream(), java.util.stream.Stream.of(dir))
            .toList());
  }
}
