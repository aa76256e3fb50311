package zisk.distributed.coordinator.lifecycle;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.coordinator.store.Rows;
import zisk.distributed.coordinator.store.TaskDao.ReportedTask;
import zisk.distributed.coordinator.store.Tx;
import zisk.distributed.coordinator.verification.ProofVerdict;

/**
 * A final proof that does not count, and why its attempt fails. An invalid proof is the aggregating
 * prover's fault: INVALID_PROOF, and the prover is quarantined (gets no new work) for a while. A
 * proof the coordinator could not verify is not: VERIFIER_FAILED, counted with infrastructure
 * failures, and the prover is not quarantined.
 */
record RefusedProof(AttemptFailure cause, String reason) {

  /** How long an invalid final proof quarantines its prover at once, unless configured. */
  static final Duration DEFAULT_HOLD = Duration.ofMinutes(10);

  private static final Logger log = LoggerFactory.getLogger(RefusedProof.class);

  /**
   * Fails the AGGREGATE task (and quarantines its prover if the proof is invalid); the caller fails
   * the attempt.
   */
  static RefusedProof record(
      Tx tx, ReportedTask task, ProofVerdict verdict, Quarantine quarantine) {
    boolean invalid = verdict.outcome() == ProofVerdict.Outcome.INVALID;
    String reason =
        (invalid ? "invalid final proof from prover " : "final proof not verified, from prover ")
            + task.proverId()
            + ": "
            + verdict.detail();
    Rows.exactlyOne(tx.tasks().fail(task.taskId(), reason), "failing task " + task.taskId());
    if (!invalid) {
      log.error("Job {}: {}", task.jobId(), reason);
      return new RefusedProof(AttemptFailure.VERIFIER_FAILED, reason);
    }
    quarantine.fault(tx, task.proverId(), Quarantine.Fault.INVALID_PROOF, reason);
    log.warn("Job {}: {}", task.jobId(), reason);
    return new RefusedProof(AttemptFailure.INVALID_PROOF, reason);
  }
}
