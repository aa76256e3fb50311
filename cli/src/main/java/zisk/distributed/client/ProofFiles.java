package zisk.distributed.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import zisk.distributed.api.v1.FinalProofList;
import zisk.distributed.reference.ReferenceInput;
import zisk.distributed.reference.ReferenceVerifier;
import zisk.distributed.reference.VerificationResult;

/**
 * The proof file {@code zisk prove} and {@code zisk proof} write: the job's FinalProofList,
 * protobuf-serialized, the format {@code zisk verify} reads.
 */
public final class ProofFiles {

  private ProofFiles() {}

  public static void write(Path file, FinalProofList proof) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.write(file, proof.toByteArray());
  }

  /**
   * Verifies {@code proof} against {@code input} when the input is a reference input (what the
   * reference prover proves); empty for any other input, which the client cannot check.
   */
  public static Optional<VerificationResult> verifyIfReference(Path input, FinalProofList proof) {
    ReferenceInput reference;
    try {
      if (Files.size(input) > ReferenceInput.MAX_FILE_BYTES) {
        return Optional.empty();
      }
      reference = ReferenceInput.read(input);
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty(); // not a reference input
    }
    return Optional.of(ReferenceVerifier.verify(reference, proof));
  }
}
