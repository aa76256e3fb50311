package zisk.distributed.worker.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import zisk.distributed.reference.ReferenceInput;

/**
 * {@code reference-input}: writes an input file for the reference prover.
 *
 * <p>Prints one line naming the file and what it holds. Exit codes: 0 written, 1 the file could not
 * be written, 2 bad options.
 */
@Command(
    name = "reference-input",
    mixinStandardHelpOptions = true,
    description =
        "Writes an input file for the reference prover: LANES SHA-256 hash chains of "
            + "STEPS steps each, started from a seed.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:the file was written", "1:the file could not be written", "2:bad options"})
public final class ReferenceInputCommand implements Callable<Integer> {

  @Option(
      names = "--lanes",
      required = true,
      paramLabel = "LANES",
      description =
          "Number of hash chains, 1 to "
              + ReferenceInput.MAX_LANES
              + "; they are split over the job's provers.")
  private int lanes;

  @Option(
      names = "--steps",
      required = true,
      paramLabel = "STEPS",
      description =
          "Steps per chain, 1 to "
              + ReferenceInput.MAX_STEPS
              + "; a prover holds about 64 bytes per step of its lanes in memory.")
  private long steps;

  @Option(
      names = "--seed",
      paramLabel = "HEX",
      description =
          "Seed in hex; a random " + ReferenceInput.RANDOM_SEED_BYTES + "-byte seed when absent.")
  private String seedHex;

  @Option(
      names = {"-o", "--output"},
      required = true,
      paramLabel = "FILE",
      description = "The input file to write; replaced if it exists.")
  private Path output;

  @Spec private CommandSpec spec;

  @Override
  public Integer call() {
    ReferenceInput input;
    try {
      input =
          seedHex == null
              ? ReferenceInput.withRandomSeed(lanes, steps)
              : new ReferenceInput(lanes, steps, ReferenceInput.parseSeedHex(seedHex));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    try {
      input.write(output);
    } catch (IOException e) {
      spec.commandLine().getErr().println("error: cannot write " + output + ": " + e);
      return 1;
    }
    spec.commandLine()
        .getOut()
        .println(
            "wrote "
                + output
                + ": lanes="
                + input.lanes()
                + ", steps="
                + input.steps()
                + ", seed="
                + input.seedHex());
    return 0;
  }
}
