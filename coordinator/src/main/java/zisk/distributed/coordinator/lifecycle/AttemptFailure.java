package zisk.distributed.coordinator.lifecycle;

import zisk.distributed.coordinator.store.FailureKind;

/** Why an attempt failed: its error code (JobStatus, job_events) and the job counter it adds to. */
enum AttemptFailure {
  /** A prover reported an error. */
  TASK_ERROR("PROVER_ERROR", FailureKind.TASK_ERROR),
  /** The infrastructure lost a prover. */
  PROVER_LOST("PROVER_LOST", FailureKind.INFRASTRUCTURE),
  /** The final proof failed verification: the aggregating prover is held. */
  INVALID_PROOF("INVALID_PROOF", FailureKind.INVALID_PROOF),
  /** The coordinator could not verify the final proof: its own problem, not the prover's. */
  VERIFIER_FAILED("VERIFIER_FAILED", FailureKind.INFRASTRUCTURE),
  /** A task ran past its time limit (counted in the job's timeouts when it timed out). */
  TIMED_OUT("TASK_TIMED_OUT", FailureKind.TIMED_OUT);

  final String errorCode;
  final FailureKind kind;

  AttemptFailure(String errorCode, FailureKind kind) {
    this.errorCode = errorCode;
    this.kind = kind;
  }
}
