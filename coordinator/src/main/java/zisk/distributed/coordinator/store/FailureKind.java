package zisk.distributed.coordinator.store;

/** How a failed attempt is counted on its job row: each kind has its own counter. */
public enum FailureKind {
  /** A prover reported an error (task_failures). */
  TASK_ERROR,
  /** A prover or coordinator was lost, or the coordinator could not verify (infra_failures). */
  INFRASTRUCTURE,
  /** A final proof failed verification (invalid_proofs). */
  INVALID_PROOF,
  /**
   * A task ran past its time limit: counted once per task in timeouts when it times out, so the
   * attempt it fails adds to no counter.
   */
  TIMED_OUT
}
