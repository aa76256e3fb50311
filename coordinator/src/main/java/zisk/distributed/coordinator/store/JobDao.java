package zisk.distributed.coordinator.store;

import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * The SQL of {@code jobs}. Each transition names the state it expects in its WHERE clause and
 * answers the rows it changed, so a caller can tell "moved on meanwhile" (0) from success (1).
 * Statements that also append to {@code job_events} do it in the same statement, so a transition's
 * history costs no extra round trip.
 */
public final class JobDao {

  private final Connection connection;

  JobDao(Connection connection) {
    this.connection = connection;
  }

  /** A QUEUED job as admission sees it. */
  public record QueuedJob(
      UUID jobId,
      String blockId,
      String inputPath,
      int computeCapacity,
      int attempt,
      String inputId) {}

  /** What a LaunchProof with an already used client request id is compared against. */
  public record LaunchedJob(
      UUID jobId,
      String blockId,
      String inputPath,
      int computeCapacity,
      String launchedBy,
      String inputId) {}

  /**
   * Where a job's input is: {@code inputPath} (empty for an uploaded input) or {@code inputId}
   * (null for an input_path).
   */
  public record JobInput(String inputPath, String inputId) {}

  /** A RUNNING job locked for a transition. */
  public record RunningJob(UUID jobId, int attempt, int maxAttempts) {}

  /**
   * Inserts a QUEUED job with its LAUNCHED event, unless its client request id was used or, when
   * {@code countQueued}, {@code maxQueued} jobs are QUEUED already (no lock: concurrent launches
   * may overshoot by a few). The count, up to {@code maxQueued}, is only read when asked for.
   */
  private static final Sql INSERT =
      Sql.of(
          """
      WITH room AS (
          SELECT CASE WHEN :countQueued
                      THEN (SELECT count(*) FROM (SELECT 1 FROM jobs WHERE state = 'QUEUED' LIMIT :maxQueued) q)
                 END AS queued),
      created AS (
          INSERT INTO jobs (block_id, input_path, compute_capacity, client_request_id, max_attempts, launched_by,
                            partial_contribution_timeout_seconds, prove_timeout_seconds, aggregate_timeout_seconds,
                            input_id, webhook_url)
          SELECT :blockId, NULLIF(:inputPath, ''), :computeCapacity, :clientRequestIdOrNull, :maxAttempts, :launchedBy,
                 :partialContributionTimeout::integer, :proveTimeout::integer, :aggregateTimeout::integer,
                 CAST(:inputId AS text), :webhookUrl
          WHERE coalesce((SELECT queued FROM room) < :maxQueued, true)
          ON CONFLICT (client_request_id) DO NOTHING
          RETURNING job_id, block_id, compute_capacity, launched_by),
      recorded AS (
          INSERT INTO job_events (job_id, event, state, detail, token_name)
          SELECT job_id, 'LAUNCHED', 'QUEUED', 'block ' || block_id || ', ' || compute_capacity || ' compute units',
                 launched_by
          FROM created)
      SELECT (SELECT queued FROM room) AS queued, (SELECT job_id FROM created) AS job_id
      """);

  /**
   * The new job's id, if created; the QUEUED jobs counted (up to the bound) before it, if counted.
   */
  public record Inserted(OptionalLong queued, Optional<UUID> jobId) {
    /** Whether the queue had room: not counted, or counted below the bound. */
    public boolean room(int maxQueued) {
      return queued.isEmpty() || queued.getAsLong() < maxQueued;
    }
  }

  public Inserted insert(NewJob job, int maxQueued, boolean countQueued) {
    return INSERT
        .on(connection)
        .bind("countQueued", countQueued)
        .bind("maxQueued", maxQueued)
        .bind("blockId", job.blockId())
        .bind("inputPath", job.inputPath())
        .bind("computeCapacity", job.computeCapacity())
        .bind("clientRequestIdOrNull", job.clientRequestIdOrNull())
        .bind("maxAttempts", job.maxAttempts())
        .bind("launchedBy", job.launchedBy().orElse(null))
        .bind("partialContributionTimeout", job.timeouts().partialContributionSeconds())
        .bind("proveTimeout", job.timeouts().proveSeconds())
        .bind("aggregateTimeout", job.timeouts().aggregateSeconds())
        .bind("webhookUrl", job.webhookUrl().orElse(null))
        .bind("inputId", job.inputId())
        .one(
            row -> {
              long queued = row.getLong("queued");
              return new Inserted(
                  row.wasNull() ? OptionalLong.empty() : OptionalLong.of(queued),
                  Optional.ofNullable(row.getObject("job_id", UUID.class)));
            });
  }

  private static final Sql FIND_LAUNCH =
      Sql.of(
          """
      SELECT job_id, block_id, input_path, compute_capacity, launched_by, input_id FROM jobs WHERE client_request_id = :clientRequestId
      """);

  public Optional<LaunchedJob> findLaunch(String clientRequestId) {
    return FIND_LAUNCH
        .on(connection)
        .bind("clientRequestId", clientRequestId)
        .optional(
            row ->
                new LaunchedJob(
                    Sql.uuid(row, "job_id"),
                    row.getString("block_id"),
                    path(row),
                    row.getInt("compute_capacity"),
                    row.getString("launched_by"),
                    row.getString("input_id")));
  }

  /** The job with the provers of its current attempt by rank. */
  /**
   * The job as the API shows it (the view {@code job_overview}: the row and its provers by rank).
   */
  private static final Sql FIND =
      Sql.of(
          """
      SELECT * FROM job_overview j WHERE j.job_id = :jobId
      """);

  public Optional<Job> find(UUID jobId) {
    return FIND.on(connection).bind("jobId", jobId).optional(JobDao::job);
  }

  /**
   * Jobs newest first, {@code limit} of them, after the keyset position ({@code afterAt}, {@code
   * afterId}) when one is given.
   */
  private static final Sql LIST =
      Sql.of(
          """
      SELECT * FROM job_overview j
      WHERE (NOT :activeOnly OR j.state IN ('QUEUED', 'RUNNING'))
        AND (CAST(:afterAt AS timestamptz) IS NULL OR (j.created_at, j.job_id) < (:afterAt, :afterId))
      ORDER BY j.created_at DESC, j.job_id DESC
      LIMIT :limit
      """);

  public List<Job> list(boolean activeOnly, Instant afterAt, UUID afterId, int limit) {
    return LIST.on(connection)
        .bind("activeOnly", activeOnly)
        .bind("afterAt", afterAt)
        .bind("afterId", afterId)
        .bind("limit", limit)
        .list(JobDao::job);
  }

  private static final Sql FINAL_PROOF =
      Sql.of("SELECT final_proof FROM jobs WHERE job_id = :jobId AND state = 'COMPLETED'");

  public Optional<byte[]> finalProof(UUID jobId) {
    return FINAL_PROOF
        .on(connection)
        .bind("jobId", jobId)
        .optional(row -> row.getBytes("final_proof"));
  }

  /**
   * The oldest QUEUED jobs that fit in {@code maxCapacity} compute units (the idle capacity) and
   * that no other coordinator is admitting right now. Jobs too large are never read, so however
   * many of them wait, they cannot hide a job that fits (jobs_queued_capacity_idx).
   */
  private static final Sql LOCK_QUEUED =
      Sql.of(
          """
      SELECT job_id, block_id, input_path, compute_capacity, attempt, input_id FROM jobs
      WHERE state = 'QUEUED' AND compute_capacity <= :maxCapacity
      ORDER BY created_at, job_id
      LIMIT :limit
      FOR UPDATE SKIP LOCKED
      """);

  public List<QueuedJob> lockQueued(long maxCapacity, int limit) {
    return LOCK_QUEUED
        .on(connection)
        .bind("maxCapacity", maxCapacity)
        .bind("limit", limit)
        .list(
            row ->
                new QueuedJob(
                    Sql.uuid(row, "job_id"),
                    row.getString("block_id"),
                    path(row),
                    row.getInt("compute_capacity"),
                    row.getInt("attempt"),
                    row.getString("input_id")));
  }

  /**
   * Locks the job if it is RUNNING (in any attempt): the first lock of every transition of a job.
   */
  private static final Sql LOCK_RUNNING =
      Sql.of(
          "SELECT job_id, attempt, max_attempts FROM jobs WHERE job_id = :jobId AND state = 'RUNNING' FOR UPDATE");

  public Optional<RunningJob> lockRunning(UUID jobId) {
    return LOCK_RUNNING
        .on(connection)
        .bind("jobId", jobId)
        .optional(
            row ->
                new RunningJob(
                    Sql.uuid(row, "job_id"), row.getInt("attempt"), row.getInt("max_attempts")));
  }

  /**
   * Ends a RUNNING attempt: back to QUEUED when {@code retry}, else FAILED; counts the failure by
   * its kind ({@link FailureKind}) and records REQUEUED or FAILED.
   */
  private static final Sql END_ATTEMPT =
      Sql.of(
          """
      WITH ended AS (
          UPDATE jobs
          SET state = CASE WHEN :retry THEN 'QUEUED' ELSE 'FAILED' END,
              finished_at = CASE WHEN :retry THEN NULL ELSE now() END,
              waiting_reason = CASE WHEN :retry THEN 'attempt ' || attempt || ' failed (' || :reason || '); waiting to retry' END,
              error_code = :errorCode, error_message = :reason, updated_at = now(),
              task_failures = task_failures + CASE WHEN :kind = 'TASK_ERROR' THEN 1 ELSE 0 END,
              infra_failures = infra_failures + CASE WHEN :kind = 'INFRASTRUCTURE' THEN 1 ELSE 0 END,
              invalid_proofs = invalid_proofs + CASE WHEN :kind = 'INVALID_PROOF' THEN 1 ELSE 0 END
          WHERE job_id = :jobId AND state = 'RUNNING' AND attempt = :attempt
          RETURNING job_id, state)
      INSERT INTO job_events (job_id, event, state, attempt, prover_id, detail)
      SELECT job_id, CASE WHEN :retry THEN 'REQUEUED' ELSE 'FAILED' END, state, :attempt, :culprit,
             :errorCode || ': ' || :reason
      FROM ended
      """);

  public int endAttempt(
      UUID jobId,
      int attempt,
      boolean retry,
      FailureKind kind,
      String errorCode,
      String reason,
      String culprit) {
    return END_ATTEMPT
        .on(connection)
        .bind("jobId", jobId)
        .bind("attempt", attempt)
        .bind("retry", retry)
        .bind("kind", kind.name())
        .bind("errorCode", errorCode)
        .bind("reason", reason)
        .bind("culprit", culprit)
        .update();
  }

  /**
   * The input path of a RUNNING job whose current attempt's AGGREGATE task is DISPATCHED to {@code
   * proverId}: what a final proof from that prover must be verified against.
   */
  private static final Sql AGGREGATION_INPUT =
      Sql.of(
          """
      SELECT j.input_path, j.input_id
      FROM jobs j JOIN tasks t ON t.job_id = j.job_id AND t.attempt = j.attempt
      WHERE j.job_id = :jobId AND j.state = 'RUNNING' AND t.task_type = 'AGGREGATE'
        AND t.prover_id = :proverId AND t.state = 'DISPATCHED'
      """);

  public Optional<JobInput> aggregationInput(UUID jobId, String proverId) {
    return AGGREGATION_INPUT
        .on(connection)
        .bind("jobId", jobId)
        .bind("proverId", proverId)
        .optional(row -> new JobInput(path(row), row.getString("input_id")));
  }

  /**
   * QUEUED or RUNNING to CANCELLED, with the CANCELLED event naming the token that asked; only a
   * job launched by {@code launchedBy} when that is given.
   */
  private static final Sql CANCEL =
      Sql.of(
          """
      WITH cancelled AS (
          UPDATE jobs
          SET state = 'CANCELLED', finished_at = now(), updated_at = now(), waiting_reason = NULL,
              error_code = 'CANCELLED', error_message = :reason
          WHERE job_id = :jobId AND state IN ('QUEUED', 'RUNNING')
            AND (CAST(:launchedBy AS text) IS NULL OR launched_by = :launchedBy)
          RETURNING job_id, phase, attempt)
      INSERT INTO job_events (job_id, event, state, phase, attempt, detail, token_name)
      SELECT job_id, 'CANCELLED', 'CANCELLED', phase, attempt, :reason, :tokenName FROM cancelled
      """);

  /**
   * @param tokenName recorded in the event; null without tokens
   * @param launchedBy cancel only a job this token launched; null for any job
   */
  public int cancel(UUID jobId, String reason, String tokenName, String launchedBy) {
    return CANCEL
        .on(connection)
        .bind("jobId", jobId)
        .bind("reason", reason)
        .bind("tokenName", tokenName)
        .bind("launchedBy", launchedBy)
        .update();
  }

  private static Job job(ResultSet row) throws SQLException {
    Array provers = row.getArray("assigned_provers");
    return new Job(
        Sql.uuid(row, "job_id"),
        row.getString("block_id"),
        path(row),
        row.getInt("compute_capacity"),
        Sql.constant(JobState.class, row, "state"),
        Sql.constant(Phase.class, row, "phase"),
        row.getInt("attempt"),
        row.getInt("max_attempts"),
        Sql.instant(row, "created_at"),
        Sql.instant(row, "started_at"),
        Sql.instant(row, "finished_at"),
        row.getString("waiting_reason"),
        row.getString("error_code"),
        row.getString("error_message"),
        List.of((String[]) provers.getArray()),
        row.getString("launched_by"),
        List.of((String[]) row.getArray("rank_replacements").getArray()),
        row.getString("input_id"));
  }

  /** A job's input_path: empty (never null) for a job launched with an uploaded input. */
  static String path(ResultSet row) throws SQLException {
    String path = row.getString("input_path");
    return path == null ? "" : path;
  }
}
