package zisk.distributed.coordinator.verification;

/**
 * What the coordinator concluded about a final proof. Only {@link #accepted()} verdicts let a job
 * complete; the others fail the attempt, each with its own cause.
 *
 * @param outcome the conclusion
 * @param detail for people: which verifier, and why a proof was refused or could not be checked;
 *     bounded and cleaned (see {@link VerifierText})
 */
public record ProofVerdict(Outcome outcome, String detail) {

  /** The conclusions a verification can reach. */
  public enum Outcome {
    /** The verifier checked the proof and it holds. */
    VALID,
    /** Not checked: the operator configured {@code proofs.verifier = "none"}. */
    UNCHECKED,
    /** The verifier checked the proof and it does not hold: the aggregating prover is at fault. */
    INVALID,
    /**
     * The proof could not be checked (the verifier failed, timed out, or never ran): the
     * coordinator's side is at fault, not the prover.
     */
    VERIFIER_FAILED
  }

  /** A final proof that never went through a verifier: it must not count. */
  public static final ProofVerdict NOT_VERIFIED =
      new ProofVerdict(Outcome.VERIFIER_FAILED, "the final proof was not verified");

  public ProofVerdict {
    detail = VerifierText.clean(detail);
  }

  public static ProofVerdict valid(String detail) {
    return new ProofVerdict(Outcome.VALID, detail);
  }

  public static ProofVerdict unchecked() {
    return new ProofVerdict(Outcome.UNCHECKED, "not verified (proofs.verifier = none)");
  }

  public static ProofVerdict invalid(String detail) {
    return new ProofVerdict(Outcome.INVALID, detail);
  }

  public static ProofVerdict verifierFailed(String detail) {
    return new ProofVerdict(Outcome.VERIFIER_FAILED, detail);
  }

  /** Whether the job may complete with this proof. */
  public boolean accepted() {
    return outcome == Outcome.VALID || outcome == Outcome.UNCHECKED;
  }
}
