package zisk.distributed.coordinator.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * The SQL of {@code jobs}. Each transition names the state it expects in its WHERE clause and
 * answers the rows it changed, so a caller can tell "moved on meanwhile" (0) from success (1).
 * Statements that also append to {@code job_events} do it in the same statement, so a
 * transition's history costs no extra round trip.
 */
public interface JobDao {

  /** A QUEUED job as admission sees it. */
  record QueuedJob(UUID jobId, int computeCapacity, int attempt) {}

  /** What a LaunchProof with an already used client request id is compared against. */
  record LaunchedJob(UUID jobId, String blockId, String inputPath, int computeCapacity) {}

  /** A RUNNING job locked for a transition. */
  record RunningJob(UUID jobId, int attempt, int maxAttempts) {}

  /** Creates a QUEUED job and its LAUNCHED event; empty when the client request id is taken. */
  @SqlQuery("""
      WITH created AS (
          INSERT INTO jobs (block_id, input_path, compute_capacity, client_request_id, max_attempts)
          VALUES (:blockId, :inputPath, :computeCapacity, :clientRequestIdOrNull, :maxAttempts)
          ON CONFLICT (client_request_id) DO NOTHING
          RETURNING job_id, block_id, compute_capacity),
      recorded AS (
          INSERT INTO job_events (job_id, event, state, detail)
          SELECT job_id, 'LAUNCHED', 'QUEUED', 'block ' || block_id || ', ' || compute_capacity || ' compute units'
          FROM created)
      SELECT job_id FROM created
      """)
  Optional<UUID> insert(@BindMethods NewJob job);

  @SqlQuery("""
      SELECT job_id, block_id, input_path, compute_capacity FROM jobs WHERE client_request_id = :clientRequestId
      """)
  Optional<LaunchedJob> findLaunch(String clientRequestId);

  /** The job with the provers of its current attempt by rank. */
  @SqlQuery("""
      SELECT j.job_id, j.block_id, j.input_path, j.compute_capacity, j.state, j.phase, j.attempt,
             j.max_attempts, j.created_at, j.started_at, j.finished_at, j.waiting_reason,
             j.error_code, j.error_message,
             ARRAY(SELECT t.prover_id FROM tasks t
                   WHERE t.job_id = j.job_id AND t.attempt = j.attempt AND t.task_type = 'PARTIAL_CONTRIBUTION'
                   ORDER BY t.rank_id) AS assigned_provers
      FROM jobs j
      WHERE j.job_id = :jobId
      """)
  Optional<Job> find(UUID jobId);

  /**
   * Jobs newest first, {@code limit} of them, after the keyset position ({@code afterAt},
   * {@code afterId}) when one is given.
   */
  @SqlQuery("""
      SELECT j.job_id, j.block_id, j.input_path, j.compute_capacity, j.state, j.phase, j.attempt,
             j.max_attempts, j.created_at, j.started_at, j.finished_at, j.waiting_reason,
             j.error_code, j.error_message,
             ARRAY(SELECT t.prover_id FROM tasks t
                   WHERE t.job_id = j.job_id AND t.attempt = j.attempt AND t.task_type = 'PARTIAL_CONTRIBUTION'
                   ORDER BY t.rank_id) AS assigned_provers
      FROM jobs j
      WHERE (NOT :activeOnly OR j.state IN ('QUEUED', 'RUNNING'))
        AND (CAST(:afterAt AS timestamptz) IS NULL OR (j.created_at, j.job_id) < (:afterAt, :afterId))
      ORDER BY j.created_at DESC, j.job_id DESC
      LIMIT :limit
      """)
  List<Job> list(boolean activeOnly, Instant afterAt, UUID afterId, int limit);

  @SqlQuery("SELECT final_proof FROM jobs WHERE job_id = :jobId AND state = 'COMPLETED'")
  Optional<byte[]> finalProof(UUID jobId);

  /** The oldest QUEUED jobs that no other coordinator is admitting right now. */
  @SqlQuery("""
      SELECT job_id, compute_capacity, attempt FROM jobs
      WHERE state = 'QUEUED'
      ORDER BY created_at, job_id
      LIMIT :limit
      FOR UPDATE SKIP LOCKED
      """)
  List<QueuedJob> lockQueued(int limit);

  /** Locks the job if it is RUNNING (in any attempt): the first lock of every transition of a job. */
  @SqlQuery("SELECT job_id, attempt, max_attempts FROM jobs WHERE job_id = :jobId AND state = 'RUNNING' FOR UPDATE")
  Optional<RunningJob> lockRunning(UUID jobId);

  /** QUEUED to RUNNING in a new attempt, with its STARTED event. */
  @SqlUpdate("""
      WITH started AS (
          UPDATE jobs SET state = 'RUNNING', phase = 'PARTIAL_CONTRIBUTION', attempt = :attempt, started_at = now(),
                          waiting_reason = NULL, updated_at = now()
          WHERE job_id = :jobId AND state = 'QUEUED' AND attempt = :attempt - 1
          RETURNING job_id)
      INSERT INTO job_events (job_id, event, state, phase, attempt, detail)
      SELECT job_id, 'STARTED', 'RUNNING', 'PARTIAL_CONTRIBUTION', :attempt, :detail FROM started
      """)
  int start(UUID jobId, int attempt, String detail);

  /** Why a QUEUED job has not started; written only when it changed. */
  @SqlUpdate("""
      UPDATE jobs SET waiting_reason = :reason
      WHERE job_id = :jobId AND state = 'QUEUED' AND waiting_reason IS DISTINCT FROM :reason
      """)
  int noteWaiting(UUID jobId, String reason);

  /** A RUNNING job moves to its next phase, with its PHASE_STARTED event. */
  @SqlUpdate("""
      WITH moved AS (
          UPDATE jobs SET phase = :phase, updated_at = now()
          WHERE job_id = :jobId AND state = 'RUNNING' AND attempt = :attempt
          RETURNING job_id)
      INSERT INTO job_events (job_id, event, state, phase, attempt, detail)
      SELECT job_id, 'PHASE_STARTED', 'RUNNING', :phase, :attempt, :detail FROM moved
      """)
  int enterPhase(UUID jobId, int attempt, Phase phase, String detail);

  /** RUNNING to COMPLETED with its final proof, and the COMPLETED event. */
  @SqlUpdate("""
      WITH completed AS (
          UPDATE jobs SET state = 'COMPLETED', final_proof = :proof, finished_at = clock_timestamp(), updated_at = now(),
                          error_code = NULL, error_message = NULL, waiting_reason = NULL
          WHERE job_id = :jobId AND state = 'RUNNING' AND attempt = :attempt
          RETURNING job_id)
      INSERT INTO job_events (job_id, event, state, phase, attempt, prover_id, task_id, detail)
      SELECT job_id, 'COMPLETED', 'COMPLETED', 'AGGREGATE', :attempt, :proverId, :taskId,
             'final proof ' || length(:proof) || ' bytes'
      FROM completed
      """)
  int complete(UUID jobId, int attempt, byte[] proof, String proverId, UUID taskId);

  /**
   * Ends a RUNNING attempt: back to QUEUED when {@code retry}, else FAILED; counts the failure by
   * its cause and records REQUEUED or FAILED.
   */
  @SqlUpdate("""
      WITH ended AS (
          UPDATE jobs
          SET state = CASE WHEN :retry THEN 'QUEUED' ELSE 'FAILED' END,
              finished_at = CASE WHEN :retry THEN NULL ELSE now() END,
              waiting_reason = CASE WHEN :retry THEN 'attempt ' || attempt || ' failed (' || :reason || '); waiting to retry' END,
              error_code = :errorCode, error_message = :reason, updated_at = now(),
              task_failures = task_failures + CASE WHEN :infrastructure THEN 0 ELSE 1 END,
              infra_failures = infra_failures + CASE WHEN :infrastructure THEN 1 ELSE 0 END
          WHERE job_id = :jobId AND state = 'RUNNING' AND attempt = :attempt
          RETURNING job_id, state)
      INSERT INTO job_events (job_id, event, state, attempt, prover_id, detail)
      SELECT job_id, CASE WHEN :retry THEN 'REQUEUED' ELSE 'FAILED' END, state, :attempt, :culprit,
             :errorCode || ': ' || :reason
      FROM ended
      """)
  int endAttempt(UUID jobId, int attempt, boolean retry, boolean infrastructure, String errorCode, String reason,
      String culprit);

  /** QUEUED or RUNNING to CANCELLED, with the CANCELLED event. */
  @SqlUpdate("""
      WITH cancelled AS (
          UPDATE jobs
          SET state = 'CANCELLED', finished_at = now(), updated_at = now(), waiting_reason = NULL,
              error_code = 'CANCELLED', error_message = :reason
          WHERE job_id = :jobId AND state IN ('QUEUED', 'RUNNING')
          RETURNING job_id, phase, attempt)
      INSERT INTO job_events (job_id, event, state, phase, attempt, detail)
      SELECT job_id, 'CANCELLED', 'CANCELLED', phase, attempt, :reason FROM cancelled
      """)
  int cancel(UUID jobId, String reason);
}
