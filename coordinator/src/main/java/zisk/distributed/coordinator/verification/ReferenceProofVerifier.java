package zisk.distributed.coordinator.verification;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import zisk.distributed.reference.ReferenceInput;
import zisk.distributed.reference.ReferenceVerifier;
import zisk.distributed.reference.VerificationResult;

/**
 * The built-in verifier: {@link ReferenceVerifier}, the same check {@code zisk verify} runs, on the
 * job's input file as the coordinator reads it.
 *
 * <p>The input is read like untrusted data: only a regular file, at most {@link
 * ReferenceInput#MAX_FILE_BYTES}, and nothing of its content is ever echoed. An input the
 * coordinator cannot read or parse is a verifier failure, not the prover's fault: the workers may
 * see a file the coordinator does not.
 */
public final class ReferenceProofVerifier implements ProofVerifier {

  @Override
  public ProofVerdict verify(String inputPath, byte[] finalProof) throws InterruptedException {
    ReferenceInput input;
    try {
      input = ReferenceInput.parse(readBounded(Path.of(inputPath)), "the job's input");
    } catch (IOException | InvalidPathException e) {
      return ProofVerdict.verifierFailed(
          "the reference verifier cannot read the job's input on the coordinator");
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

  /** The file's text, if it is a regular file of at most {@link ReferenceInput#MAX_FILE_BYTES}. */
  private static String readBounded(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("not a regular file");
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(ReferenceInput.MAX_FILE_BYTES + 1);
      if (bytes.length > ReferenceInput.MAX_FILE_BYTES) {
        throw new IllegalArgumentException("larger than a reference input");
      }
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }
}
