package zisk.distributed.coordinator.verification;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import zisk.distributed.common.inputs.InputFile;
import zisk.distributed.common.inputs.InputFiles;
import zisk.distributed.common.inputs.InputRefusedException;
import zisk.distributed.reference.ReferenceInput;
import zisk.distributed.reference.ReferenceVerifier;
import zisk.distributed.reference.VerificationResult;

/**
 * The built-in verifier: {@link ReferenceVerifier}, the same check {@code zisk verify} runs, on the
 * job's input file as the coordinator reads it.
 *
 * <p>The input is found with the workers' rules ({@link InputFiles}) in the coordinator's own
 * inputs directories ({@code proofs.inputs_dirs}): only a regular file inside one of them, at most
 * {@link ReferenceInput#MAX_FILE_BYTES}, and nothing of its content is ever echoed. An input the
 * coordinator cannot find, read or parse is a verifier failure, not the prover's fault: the workers
 * may see a file the coordinator does not.
 */
public final class ReferenceProofVerifier implements ProofVerifier {

  private final InputFiles inputs;

  /**
   * @param inputsDirs where job inputs are looked for; a relative {@code input_path} is taken in
   *     the first
   */
  public ReferenceProofVerifier(List<Path> inputsDirs) {
    this.inputs =
        new InputFiles(
            inputsDirs, ReferenceInput.MAX_FILE_BYTES, "coordinator", "a reference input's size");
  }

  @Override
  public ProofVerdict verify(String inputPath, byte[] finalProof) throws InterruptedException {
    ReferenceInput input;
    try {
      InputFile file = inputs.open(inputPath);
      input =
          ReferenceInput.parse(
              StandardCharsets.UTF_8.decode(file.content()).toString(), "the job's input");
    } catch (InputRefusedException e) {
      return ProofVerdict.verifierFailed(
          "the reference verifier cannot read the job's input on the coordinator: "
              + e.getMessage());
    } catch (IllegalArgumentException e) {
      return ProofVerdict.verifierFailed(
          "the reference verifier cannot use the job's input: it is not a reference prover input");
    }
    VerificationResult result = ReferenceVerifier.verify(input, finalProof);
    if (Thread.interrupted()) {
      throw new InterruptedException("reference verification interrupted");
    }
    return result.valid()
        ? ProofVerdict.valid("verified by the reference verifier (" + result.summary() + ")")
        : ProofVerdict.invalid("reference verifier: " + result.reason());
  }
}
