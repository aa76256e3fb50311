package zisk.distributed.coordinator.scheduling;

import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.coordinator.store.JobEvents;
import zisk.distributed.coordinator.store.JobState;
import zisk.distributed.coordinator.store.JobStore;
import zisk.distributed.coordinator.store.ProverStore;

/**
 * The failure transition, run inside the caller's transaction with the job row locked: stop the
 * job's other tasks, free its provers, and re-queue the job while attempts remain (else FAILED).
 */
final class JobFailures {

  private static final Logger log = LoggerFactory.getLogger(JobFailures.class);

  /** Why a job attempt failed: a prover reported an error, or the infrastructure lost a prover. */
  enum Cause {
    TASK_ERROR("task_failures", "PROVER_ERROR"),
    INFRASTRUCTURE("infra_failures", "PROVER_LOST");

    final String counter;
    final String errorCode;

    Cause(String counter, String errorCode) {
      this.counter = counter;
      this.errorCode = errorCode;
    }
  }

  private JobFailures() {}

  /**
   * Fails the current attempt of a RUNNING job. {@code culprit} is the prover at fault (it gets
   * no JobCancelled); the others working on the job are told to stop.
   *
   * @return false when the job is not RUNNING in that attempt (a late report; nothing changed)
   */
  static boolean failAttempt(Handle handle, UUID jobId, int attempt, String culprit, Cause cause, String reason,
      Effects effects) {
    Integer maxAttempts = handle.createQuery("""
            SELECT max_attempts FROM jobs WHERE job_id = :jobId AND state = 'RUNNING' AND attempt = :attempt FOR UPDATE
            """)
        .bind("jobId", jobId).bind("attempt", attempt)
        .mapTo(Integer.class).findOne().orElse(null);
    if (maxAttempts == null) {
      return false;
    }
    Map<String, UUID> latest = JobStore.latestTasks(handle, jobId);
    handle.createUpdate("""
            UPDATE tasks SET state = 'CANCELLED', finished_at = now()
            WHERE job_id = :jobId AND state IN ('ASSIGNED', 'DISPATCHED')
            """)
        .bind("jobId", jobId).execute();
    for (String proverId : ProverStore.freeForJob(handle, jobId)) {
      if (!proverId.equals(culprit)) {
        effects.cancel(proverId, jobId, latest.get(proverId), "job attempt " + attempt + " failed: " + reason);
      }
    }
    boolean retry = attempt < maxAttempts;
    handle.createUpdate("""
            UPDATE jobs
            SET state = CASE WHEN :retry THEN 'QUEUED' ELSE 'FAILED' END,
                finished_at = CASE WHEN :retry THEN NULL ELSE now() END,
                waiting_reason = CASE WHEN :retry THEN 'attempt ' || attempt || ' failed (' || :reason || '); waiting to retry' END,
                error_code = :errorCode, error_message = :reason, updated_at = now(),
                %1$s = %1$s + 1
            WHERE job_id = :jobId
            """.formatted(cause.counter))
        .bind("retry", retry).bind("reason", reason).bind("errorCode", cause.errorCode).bind("jobId", jobId)
        .execute();
    JobEvents.record(handle, jobId, retry ? "REQUEUED" : "FAILED", retry ? JobState.QUEUED : JobState.FAILED, null,
        attempt, culprit, null, cause.errorCode + ": " + reason);
    log.info("Job {} attempt {} failed ({}: {}); {}", jobId, attempt, cause.errorCode, reason,
        retry ? "re-queued" : "no attempts left, FAILED");
    effects.admit();
    return true;
  }
}
