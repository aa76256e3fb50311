package zisk.distributed.worker.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import zisk.distributed.api.v1.FinalProofList;
import zisk.distributed.reference.ReferenceInput;
import zisk.distributed.reference.ReferenceVerifier;
import zisk.distributed.reference.VerificationResult;

/**
 * {@code verify}: checks a reference prover's final proof against its input file.
 *
 * <p>Prints {@code proof OK: ...} with what was checked, or {@code proof INVALID: <reason>}. Exit
 * codes: 0 valid, 1 invalid (bytes that are not a {@code FinalProofList} included), 2 bad options,
 * 3 the input or proof file cannot be read.
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description =
        "Checks a final proof of the reference prover against its input file, "
            + "without trusting the provers or the coordinator.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the proof is valid",
      "1:the proof is invalid",
      "2:bad options",
      "3:the input or the proof file cannot be read"
    })
public final class VerifyCommand implements Callable<Integer> {

  /** The proof was read and does not hold. */
  public static final int INVALID = 1;

  /** The input or the proof file could not be read. */
  public static final int UNREADABLE = 3;

  @Option(
      names = "--input",
      required = true,
      paramLabel = "FILE",
      description = "The input file the proof is for (as written by reference-input).")
  private Path input;

  @Parameters(
      index = "0",
      paramLabel = "PROOF",
      description =
          "File holding the job's final proof: a binary-serialized FinalProofList " + "protobuf.")
  private Path proof;

  @Spec private CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ReferenceInput statement;
    try {
      statement = ReferenceInput.read(input);
    } catch (IOException | IllegalArgumentException e) {
      err.println("error: cannot read input " + input + ": " + e.getMessage());
      return UNREADABLE;
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(proof);
    } catch (IOException e) {
      err.println("error: cannot read proof " + proof + ": " + e);
      return UNREADABLE;
    }
    FinalProofList finalProof;
    try {
      finalProof = FinalProofList.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      out.println(
          "proof INVALID: " + proof + " is not a FinalProofList protobuf (" + e.getMessage() + ")");
      return INVALID;
    }
    VerificationResult result = ReferenceVerifier.verify(statement, finalProof);
    out.println(result.summary());
    return result.valid() ? 0 : INVALID;
  }
}
