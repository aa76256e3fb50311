package zisk.distributed.coordinator.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

/** Jobs as the admin API sees them: launch, read, list and cancel, each one transaction. */
public final class JobStore {

  /** The job row plus the provers of its current attempt, by rank. */
  static final String SELECT_JOB = """
      SELECT j.job_id, j.block_id, j.input_path, j.compute_capacity, j.state, j.phase, j.attempt,
             j.max_attempts, j.created_at, j.started_at, j.finished_at, j.waiting_reason,
             j.error_code, j.error_message,
             ARRAY(SELECT t.prover_id FROM tasks t
                   WHERE t.job_id = j.job_id AND t.attempt = j.attempt AND t.task_type = 'PARTIAL_CONTRIBUTION'
                   ORDER BY t.rank_id) AS assigned_provers
      FROM jobs j
      """;

  private final Jdbi jdbi;

  public JobStore(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** What LaunchProof did: created a job, or found the one an earlier call with the same request id created. */
  public sealed interface LaunchOutcome {
    record Created(UUID jobId) implements LaunchOutcome {}
    record Existing(UUID jobId) implements LaunchOutcome {}
    /** The client request id was used before for a different request. */
    record Conflict(UUID jobId) implements LaunchOutcome {}
  }

  public LaunchOutcome launch(NewJob job) {
    return jdbi.inTransaction(handle -> {
      Optional<UUID> created = handle.createQuery("""
              INSERT INTO jobs (block_id, input_path, compute_capacity, client_request_id, max_attempts)
              VALUES (:blockId, :inputPath, :computeCapacity, :clientRequestId, :maxAttempts)
              ON CONFLICT (client_request_id) DO NOTHING
              RETURNING job_id
              """)
          .bind("blockId", job.blockId())
          .bind("inputPath", job.inputPath())
          .bind("computeCapacity", job.computeCapacity())
          .bind("clientRequestId", job.clientRequestId().orElse(null))
          .bind("maxAttempts", job.maxAttempts())
          .mapTo(UUID.class)
          .findOne();
      if (created.isPresent()) {
        JobEvents.record(handle, created.get(), "LAUNCHED", JobState.QUEUED, null, null, null, null,
            "block " + job.blockId() + ", " + job.computeCapacity() + " compute units");
        return new LaunchOutcome.Created(created.get());
      }
      // Only a client_request_id conflict skips the insert: find the job of the first call.
      Job existing = handle.createQuery(SELECT_JOB + " WHERE j.client_request_id = :clientRequestId")
          .bind("clientRequestId", job.clientRequestId().orElseThrow())
          .mapTo(Job.class)
          .one();
      boolean sameRequest = existing.blockId().equals(job.blockId())
          && existing.inputPath().equals(job.inputPath())
          && existing.computeCapacity() == job.computeCapacity();
      return sameRequest ? new LaunchOutcome.Existing(existing.jobId()) : new LaunchOutcome.Conflict(existing.jobId());
    });
  }

  public Optional<Job> find(UUID jobId) {
    return jdbi.withHandle(handle -> find(handle, jobId));
  }

  static Optional<Job> find(Handle handle, UUID jobId) {
    return handle.createQuery(SELECT_JOB + " WHERE j.job_id = :jobId")
        .bind("jobId", jobId)
        .mapTo(Job.class)
        .findOne();
  }

  /**
   * Each prover's latest task in the job's current attempt, so that a JobCancelled can name the
   * task it stops (a prover already on a later attempt's task then knows the message is stale).
   */
  public static Map<String, UUID> latestTasks(Handle handle, UUID jobId) {
    Map<String, UUID> latest = new HashMap<>();
    handle.createQuery("""
            SELECT DISTINCT ON (t.prover_id) t.prover_id, t.task_id
            FROM tasks t JOIN jobs j ON j.job_id = t.job_id AND j.attempt = t.attempt
            WHERE t.job_id = :jobId
            ORDER BY t.prover_id, t.created_at DESC
            """)
        .bind("jobId", jobId)
        .map((rs, ctx) -> Map.entry(rs.getString("prover_id"), rs.getObject("task_id", UUID.class)))
        .forEach(entry -> latest.put(entry.getKey(), entry.getValue()));
    return latest;
  }

  /** The serialized FinalProofList of a COMPLETED job. */
  public Optional<byte[]> finalProof(UUID jobId) {
    return jdbi.withHandle(handle -> handle.createQuery(
            "SELECT final_proof FROM jobs WHERE job_id = :jobId AND state = 'COMPLETED'")
        .bind("jobId", jobId)
        .mapTo(byte[].class)
        .findOne());
  }

  /** Jobs newest first, {@code limit} at a time, starting after {@code after}. */
  public JobPage list(boolean activeOnly, int limit, Optional<JobCursor> after) {
    StringBuilder sql = new StringBuilder(SELECT_JOB).append(" WHERE true");
    if (activeOnly) {
      sql.append(" AND j.state IN ('QUEUED', 'RUNNING')");
    }
    if (after.isPresent()) {
      sql.append(" AND (j.created_at, j.job_id) < (:afterAt, :afterId)");
    }
    sql.append(" ORDER BY j.created_at DESC, j.job_id DESC LIMIT :limit");
    return jdbi.withHandle(handle -> {
      Query query = handle.createQuery(sql.toString()).bind("limit", limit + 1);
      after.ifPresent(cursor -> query.bind("afterAt", cursor.createdAt()).bind("afterId", cursor.jobId()));
      List<Job> jobs = new ArrayList<>(query.mapTo(Job.class).list());
      Optional<JobCursor> next = Optional.empty();
      if (jobs.size() > limit) {
        jobs.remove(limit);
        Job last = jobs.get(limit - 1);
        next = Optional.of(new JobCursor(last.createdAt(), last.jobId()));
      }
      return new JobPage(jobs, next);
    });
  }

  /** What CancelJob did. */
  public sealed interface CancelOutcome {
    /**
     * The job is now CANCELLED; {@code proverTasks} names the provers that were working on it (now
     * free) with their latest task of the attempt.
     */
    record Cancelled(Job job, Map<String, UUID> proverTasks) implements CancelOutcome {}
    record NotFound() implements CancelOutcome {}
    /** The job had already reached a final state; nothing changed. */
    record AlreadyFinished(Job job) implements CancelOutcome {}
  }

  public CancelOutcome cancel(UUID jobId, String reason) {
    return jdbi.inTransaction(handle -> {
      int updated = handle.createUpdate("""
              UPDATE jobs
              SET state = 'CANCELLED', finished_at = now(), updated_at = now(), waiting_reason = NULL,
                  error_code = 'CANCELLED', error_message = :reason
              WHERE job_id = :jobId AND state IN ('QUEUED', 'RUNNING')
              """)
          .bind("jobId", jobId)
          .bind("reason", reason)
          .execute();
      if (updated == 0) {
        return find(handle, jobId)
            .<CancelOutcome>map(CancelOutcome.AlreadyFinished::new)
            .orElseGet(CancelOutcome.NotFound::new);
      }
      Map<String, UUID> latest = latestTasks(handle, jobId);
      handle.createUpdate("""
              UPDATE tasks SET state = 'CANCELLED', finished_at = now()
              WHERE job_id = :jobId AND state IN ('ASSIGNED', 'DISPATCHED')
              """)
          .bind("jobId", jobId)
          .execute();
      Map<String, UUID> provers = new HashMap<>();
      for (String proverId : ProverStore.freeForJob(handle, jobId)) {
        provers.put(proverId, latest.get(proverId));
      }
      Job job = find(handle, jobId).orElseThrow();
      JobEvents.record(handle, jobId, "CANCELLED", JobState.CANCELLED, job.phase(), job.attempt(), null, null, reason);
      return new CancelOutcome.Cancelled(job, provers);
    });
  }
}
