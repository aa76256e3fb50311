package zisk.distributed.coordinator.verification;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.common.inputs.InputFiles;
import zisk.distributed.common.inputs.InputRefusedException;

/**
 * An operator's verifier program, for provers whose proofs the coordinator cannot check itself.
 *
 * <p>The contract: the program runs with the configured argument vector followed by two more
 * arguments, the input file (the job's {@code input_path}, found with the workers' rules in the
 * coordinator's inputs directories, {@code proofs.inputs_dirs}, and given as its absolute real path
 * so that it can never read as an option) and the proof file (the serialized {@code FinalProofList}
 * the prover sent, in a fresh private temporary file). Exit status 0: the proof is valid; 1: it is
 * invalid; anything else, a kill, or no exit within the time limit: the verifier failed, which is
 * the coordinator's problem, not the prover's. Its output is logged, bounded; only a short excerpt
 * is kept with the job's error. {@code zisk verify --input} keeps this contract, so {@code ["zisk",
 * "verify", "--input"]} is a command verifier for reference-prover jobs.
 */
public final class CommandProofVerifier implements ProofVerifier {

  private static final Logger log = LoggerFactory.getLogger(CommandProofVerifier.class);

  /** Most bytes of the program's output kept for the log. */
  static final int MAX_OUTPUT_BYTES = 4096;

  private final List<String> command;
  private final Duration timeout;
  private final InputFiles inputs;

  /**
   * @param inputsDirs where job inputs are looked for; a relative {@code input_path} is taken in
   *     the first. The program reads the file itself, so only its size is bounded here, by the
   *     largest input a worker may be configured to read.
   */
  public CommandProofVerifier(List<String> command, Duration timeout, List<Path> inputsDirs) {
    if (command.isEmpty()) {
      throw new IllegalArgumentException("the verify command is empty");
    }
    this.command = List.copyOf(command);
    this.timeout = timeout;
    this.inputs =
        new InputFiles(
            inputsDirs,
            InputFiles.MAX_LIMIT_BYTES,
            "coordinator",
            "the largest input a worker reads");
  }

  @Override
  public ProofVerdict verify(String inputPath, byte[] finalProof) throws InterruptedException {
    String input;
    try {
      input = inputs.check(inputPath).toString();
    } catch (InputRefusedException e) {
      return failed("the verify command cannot be given the job's input: " + e.getMessage());
    }
    Path proofFile;
    try {
      proofFile = Files.createTempFile("zisk-final-proof-", ".bin");
    } catch (IOException e) {
      return failed("cannot write the proof file: " + e.getMessage());
    }
    try {
      Files.write(proofFile, finalProof);
      List<String> argv = new ArrayList<>(command);
      argv.add(input);
      argv.add(proofFile.toString());
      return verdict(VerifierProcess.run(argv, timeout, MAX_OUTPUT_BYTES));
    } catch (IOException e) {
      return failed("cannot write the proof file: " + e.getMessage());
    } finally {
      try {
        Files.deleteIfExists(proofFile);
      } catch (IOException e) {
        log.warn("Could not delete the proof file {}: {}", proofFile, e.getMessage());
      }
    }
  }

  private ProofVerdict verdict(VerifierProcess.Result result) {
    String output = VerifierText.clean(result.output());
    String program = command.get(0);
    switch (result.ending()) {
      case FAILED_TO_START -> {
        return failed("cannot run the verify command " + program + ": " + result.problem());
      }
      case TIMED_OUT -> {
        log.error(
            "The verify command {} did not finish within {} s and was killed; output ({} bytes): {}",
            program,
            timeout.toSeconds(),
            result.outputBytes(),
            output);
        return ProofVerdict.verifierFailed(
            "the verify command did not finish within " + timeout.toSeconds() + " s (killed)");
      }
      default -> {
        int code = result.exitCode();
        log.debug(
            "The verify command {} exited with {}; output ({} bytes): {}",
            program,
            code,
            result.outputBytes(),
            output);
        if (code == 0) {
          return ProofVerdict.valid("verified by the verify command " + program);
        }
        String said = output.isEmpty() ? "" : ": " + output;
        if (code == 1) {
          return ProofVerdict.invalid("the verify command rejected the proof (exit 1)" + said);
        }
        log.error("The verify command {} failed with exit status {}{}", program, code, said);
        return ProofVerdict.verifierFailed("the verify command failed (exit " + code + ")" + said);
      }
    }
  }

  private static ProofVerdict failed(String why) {
    log.error("Final proof not verified: {}", VerifierText.clean(why));
    return ProofVerdict.verifierFailed(why);
  }
}
