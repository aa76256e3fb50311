package zisk.distributed.coordinator.scheduling;

import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import zisk.distributed.coordinator.store.JobEvents;
import zisk.distributed.coordinator.store.JobState;
import zisk.distributed.coordinator.store.ProverStore;

/** A prover's part of a job is lost with the prover (stream gone for good, silent, or restarted). */
public final class ProverLoss {

  private ProverLoss() {}

  /**
   * Inside the caller's transaction (job row locked first): marks the prover's task LOST and fails
   * the job's attempt as an infrastructure failure, which re-queues it while attempts remain.
   */
  public static void loseWork(Handle handle, String proverId, UUID jobId, String reason, Effects effects) {
    Optional<Integer> attempt = handle.createQuery(
            "SELECT attempt FROM jobs WHERE job_id = :jobId AND state = 'RUNNING' FOR UPDATE")
        .bind("jobId", jobId).mapTo(Integer.class).findOne();
    if (attempt.isEmpty()) {
      // The job already ended; nothing depends on this prover any more.
      ProverStore.freeForJob(handle, jobId);
      return;
    }
    handle.createUpdate("""
            UPDATE tasks SET state = 'LOST', finished_at = clock_timestamp(), error_message = :reason
            WHERE prover_id = :proverId AND job_id = :jobId AND state IN ('ASSIGNED', 'DISPATCHED')
            """)
        .bind("reason", reason).bind("proverId", proverId).bind("jobId", jobId).execute();
    JobEvents.record(handle, jobId, "PROVER_LOST", JobState.RUNNING, null, attempt.get(), proverId, null, reason);
    JobFailures.failAttempt(handle, jobId, attempt.get(), proverId, JobFailures.Cause.INFRASTRUCTURE, reason, effects);
  }
}
