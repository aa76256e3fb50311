package zisk.distributed.coordinator.lifecycle;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.coordinator.store.JobDao.RunningJob;
import zisk.distributed.coordinator.store.ProverDao.ReleasedProver;
import zisk.distributed.coordinator.store.Rows;
import zisk.distributed.coordinator.store.Tx;

/**
 * Ends a running attempt that cannot go on (a task error, a refused final proof, a lost prover
 * whose rank cannot be recomputed): one rule for every path that restarts the attempt.
 */
final class AttemptEnd {

  private static final Logger log = LoggerFactory.getLogger(AttemptEnd.class);

  private AttemptEnd() {}

  /**
   * Fails the running attempt (its job row locked by the caller): stops the job's other tasks,
   * frees its provers (all but {@code culprit} are told to stop), and re-queues the job while
   * attempts remain, else FAILED.
   */
  static void fail(
      Tx tx, RunningJob job, String culprit, AttemptFailure cause, String reason, Effects effects) {
    tx.tasks().cancelOpen(job.jobId());
    for (ReleasedProver released : tx.provers().releaseAll(job.jobId())) {
      if (!released.proverId().equals(culprit)) {
        effects.cancel(
            released.proverId(),
            job.jobId(),
            released.lastTaskId(),
            "job attempt " + job.attempt() + " failed: " + reason);
      }
    }
    boolean retry = job.attempt() < job.maxAttempts();
    Rows.exactlyOne(
        tx.jobs()
            .endAttempt(
                job.jobId(), job.attempt(), retry, cause.kind, cause.errorCode, reason, culprit),
        "ending attempt " + job.attempt() + " of job " + job.jobId());
    log.info(
        "Job {} attempt {} failed ({}: {}); {}",
        job.jobId(),
        job.attempt(),
        cause.errorCode,
        reason,
        retry ? "re-queued" : "no attempts left, FAILED");
    effects.attemptFailed(cause, retry).admit();
  }
}
