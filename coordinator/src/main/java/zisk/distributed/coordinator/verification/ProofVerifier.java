package zisk.distributed.coordinator.verification;

/** Checks a job's final proof against the job's input. */
public interface ProofVerifier {

  /**
   * Verifies {@code finalProof} (a serialized {@code FinalProofList}, as the prover sent it) for
   * the input at {@code inputPath} (as the job was launched with). Never throws for a bad proof or
   * a broken verifier: those are verdicts.
   *
   * @throws InterruptedException when the coordinator stops while it runs
   */
  ProofVerdict verify(String inputPath, byte[] finalProof) throws InterruptedException;
}
