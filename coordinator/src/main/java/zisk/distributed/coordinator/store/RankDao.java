package zisk.distributed.coordinator.store;

import java.sql.Connection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import zisk.distributed.coordinator.store.TaskDao.WrittenTask;

/**
 * The SQL of lost ranks ({@code lost_ranks}, and the tasks that recompute them): the rank a lost
 * prover held, the wait for a replacement, the replacement's tasks. Every statement runs inside a
 * transition that already locked the job row.
 */
public final class RankDao {

  private final Connection connection;

  RankDao(Connection connection) {
    this.connection = connection;
  }

  /**
   * The latest task a prover had in the job's attempt (its rank), and the job's phase.
   *
   * @param state the task's state after its loss was recorded (an open task is LOST, or TIMED_OUT,
   *     by then)
   */
  public record HeldRank(
      UUID taskId,
      int rankId,
      Phase taskPhase,
      TaskState state,
      int computeUnits,
      boolean hasResult,
      Phase jobPhase) {}

  private static final Sql HELD_RANK =
      Sql.of(
          """
      SELECT t.task_id, t.rank_id, t.task_type, t.state, t.compute_units, t.result IS NOT NULL AS has_result,
             j.phase AS job_phase
      FROM tasks t JOIN jobs j ON j.job_id = t.job_id
      WHERE t.job_id = :jobId AND t.attempt = :attempt AND t.prover_id = :proverId
      ORDER BY t.created_at DESC, t.replacement DESC, t.task_type DESC
      LIMIT 1
      """);

  public Optional<HeldRank> heldRank(UUID jobId, int attempt, String proverId) {
    return HELD_RANK
        .on(connection)
        .bind("jobId", jobId)
        .bind("attempt", attempt)
        .bind("proverId", proverId)
        .optional(
            row ->
                new HeldRank(
                    Sql.uuid(row, "task_id"),
                    row.getInt("rank_id"),
                    Sql.constant(Phase.class, row, "task_type"),
                    Sql.constant(TaskState.class, row, "state"),
                    row.getInt("compute_units"),
                    row.getBoolean("has_result"),
                    Sql.constant(Phase.class, row, "job_phase")));
  }

  /**
   * A contribution whose prover is gone before PROVE: its witness went with it, so the rank no
   * longer counts as done. It keeps its result, which the replacement's must equal.
   */
  private static final Sql LOSE_CONTRIBUTION =
      Sql.of(
          """
      UPDATE tasks SET state = 'LOST', error_message = :reason
      WHERE task_id = :taskId AND state = 'SUCCEEDED' AND task_type = 'PARTIAL_CONTRIBUTION'
      """);

  public int loseContribution(UUID taskId, String reason) {
    return LOSE_CONTRIBUTION.on(connection).bind("taskId", taskId).bind("reason", reason).update();
  }

  /** The rank waits for a replacement from now on, with its RANK_LOST event. */
  private static final Sql RECORD_LOST =
      Sql.of(
          """
      WITH lost AS (
          INSERT INTO lost_ranks (job_id, attempt, rank_id, compute_units, phase, lost_prover_id)
          VALUES (:jobId, :attempt, :rankId, :units, :phase, :proverId)
          RETURNING job_id)
      INSERT INTO job_events (job_id, event, state, phase, attempt, prover_id, detail)
      SELECT job_id, 'RANK_LOST', 'RUNNING', :phase, :attempt, :proverId, :detail FROM lost
      """);

  public int recordLost(
      UUID jobId, int attempt, int rankId, int units, Phase phase, String proverId, String detail) {
    return RECORD_LOST
        .on(connection)
        .bind("jobId", jobId)
        .bind("attempt", attempt)
        .bind("rankId", rankId)
        .bind("units", units)
        .bind("phase", phase)
        .bind("proverId", proverId)
        .bind("detail", detail)
        .update();
  }

  /**
   * A rank of a running attempt waiting for a replacement, its job row locked.
   *
   * @param overdue it has waited longer than the bound: the attempt restarts
   * @param lostProverRenewed the lost prover started a new session since (it came back without the
   *     job's state), so it may take the rank again; one still in its old session (silent, or past
   *     a deadline) may not
   */
  public record WaitingRank(
      long lostRankId,
      UUID jobId,
      int attempt,
      int maxAttempts,
      int rankId,
      int computeUnits,
      String lostProverId,
      boolean overdue,
      boolean lostProverRenewed) {}

  /** Waiting ranks, oldest first; jobs another coordinator is working on are skipped. */
  private static final Sql LOCK_WAITING =
      Sql.of(
          """
      SELECT l.lost_rank_id, l.job_id, l.attempt, j.max_attempts, l.rank_id, l.compute_units, l.lost_prover_id,
             l.lost_at < now() - make_interval(secs => :waitSeconds) AS overdue,
             EXISTS (SELECT 1 FROM provers p WHERE p.prover_id = l.lost_prover_id AND p.connected_at >= l.lost_at)
               AS lost_prover_renewed
      FROM lost_ranks l JOIN jobs j ON j.job_id = l.job_id AND j.attempt = l.attempt AND j.state = 'RUNNING'
      WHERE l.replaced_by IS NULL
      ORDER BY l.lost_rank_id
      LIMIT :limit
      FOR UPDATE OF j SKIP LOCKED
      """);

  public List<WaitingRank> lockWaiting(double waitSeconds, int limit) {
    return LOCK_WAITING
        .on(connection)
        .bind("waitSeconds", waitSeconds)
        .bind("limit", limit)
        .list(
            row ->
                new WaitingRank(
                    row.getLong("lost_rank_id"),
                    Sql.uuid(row, "job_id"),
                    row.getInt("attempt"),
                    row.getInt("max_attempts"),
                    row.getInt("rank_id"),
                    row.getInt("compute_units"),
                    row.getString("lost_prover_id"),
                    row.getBoolean("overdue"),
                    row.getBoolean("lost_prover_renewed")));
  }

  /**
   * Gives a waiting rank to an idle prover in one statement: the prover BUSY for the job, the
   * rank's PARTIAL_CONTRIBUTION task (same rank and units, the rank's next replacement number), the
   * lost rank marked replaced, and the RANK_REPLACED event. Empty when the prover was no longer
   * idle or the rank no longer waiting.
   */
  private static final Sql REPLACE =
      Sql.of(
          """
      WITH marked AS (
          UPDATE lost_ranks SET replaced_by = :proverId, replaced_at = now()
          WHERE lost_rank_id = :lostRankId AND replaced_by IS NULL
          RETURNING job_id, attempt, rank_id, compute_units, lost_prover_id),
      reserved AS (
          UPDATE provers SET state = 'BUSY', current_job_id = :jobId
          WHERE prover_id = :proverId AND state = 'IDLE' AND EXISTS (SELECT 1 FROM marked)
          RETURNING prover_id, instance_id),
      written AS (
          INSERT INTO tasks (job_id, attempt, task_type, rank_id, prover_id, compute_units, state, dispatched_at,
                             replacement)
          SELECT m.job_id, m.attempt, 'PARTIAL_CONTRIBUTION', m.rank_id, p.prover_id, m.compute_units,
                 CASE WHEN p.instance_id = :instanceId THEN 'DISPATCHED' ELSE 'ASSIGNED' END,
                 CASE WHEN p.instance_id = :instanceId THEN clock_timestamp() END,
                 (SELECT coalesce(max(t.replacement), 0) + 1 FROM tasks t
                  WHERE t.job_id = m.job_id AND t.attempt = m.attempt AND t.rank_id = m.rank_id)
          FROM marked m CROSS JOIN reserved p
          RETURNING task_id, job_id, attempt, task_type, rank_id, prover_id, state),
      recorded AS (
          INSERT INTO job_events (job_id, event, state, phase, attempt, prover_id, task_id, detail)
          SELECT w.job_id, 'RANK_REPLACED', 'RUNNING', 'PARTIAL_CONTRIBUTION', w.attempt, w.prover_id, w.task_id,
                 'rank ' || w.rank_id || ' (' || m.compute_units || ' compute units) lost with prover '
                 || m.lost_prover_id || ' is recomputed on ' || w.prover_id
          FROM written w CROSS JOIN marked m)
      SELECT task_id, job_id, attempt, task_type AS phase, rank_id, prover_id, state FROM written
      """);

  public Optional<WrittenTask> replace(
      long lostRankId, UUID jobId, String proverId, UUID instanceId) {
    return REPLACE
        .on(connection)
        .bind("lostRankId", lostRankId)
        .bind("jobId", jobId)
        .bind("proverId", proverId)
        .bind("instanceId", instanceId)
        .optional(TaskDao::written);
  }

  /**
   * What a replacement's contribution is checked against: the rank's contribution made before it
   * (empty when the lost prover had not contributed), and the job's phase now.
   */
  public record Recheck(Optional<byte[]> earlier, Phase jobPhase) {}

  private static final Sql RECHECK =
      Sql.of(
          """
      SELECT j.phase,
             (SELECT t.result FROM tasks t
              WHERE t.job_id = j.job_id AND t.attempt = :attempt AND t.rank_id = :rankId
                AND t.task_type = 'PARTIAL_CONTRIBUTION' AND t.result IS NOT NULL AND t.task_id <> :taskId
              ORDER BY t.replacement DESC LIMIT 1) AS earlier
      FROM jobs j WHERE j.job_id = :jobId
      """);

  public Recheck recheck(UUID jobId, int attempt, int rankId, UUID taskId) {
    return RECHECK
        .on(connection)
        .bind("jobId", jobId)
        .bind("attempt", attempt)
        .bind("rankId", rankId)
        .bind("taskId", taskId)
        .one(
            row ->
                new Recheck(
                    Optional.ofNullable(row.getBytes("earlier")),
                    Sql.constant(Phase.class, row, "phase")));
  }

  /**
   * The replacement's PROVE task, once its contribution matched, in a job already proving: same
   * rank, units and replacement number as its contribution task.
   */
  private static final Sql WRITE_PROVE =
      Sql.of(
          """
      INSERT INTO tasks (job_id, attempt, task_type, rank_id, prover_id, compute_units, state, dispatched_at,
                         replacement)
      SELECT t.job_id, t.attempt, 'PROVE', t.rank_id, t.prover_id, t.compute_units,
             CASE WHEN p.instance_id = :instanceId THEN 'DISPATCHED' ELSE 'ASSIGNED' END,
             CASE WHEN p.instance_id = :instanceId THEN clock_timestamp() END, t.replacement
      FROM tasks t JOIN provers p ON p.prover_id = t.prover_id AND p.current_job_id = t.job_id
      WHERE t.task_id = :contributionTaskId
      RETURNING task_id, job_id, attempt, task_type AS phase, rank_id, prover_id, state
      """);

  public Optional<WrittenTask> writeProve(UUID contributionTaskId, UUID instanceId) {
    return WRITE_PROVE
        .on(connection)
        .bind("contributionTaskId", contributionTaskId)
        .bind("instanceId", instanceId)
        .optional(TaskDao::written);
  }

  /** A RANK_RECOMPUTED (or RANK_DIFFERS) event about a replacement's contribution. */
  private static final Sql EVENT =
      Sql.of(
          """
      INSERT INTO job_events (job_id, event, state, phase, attempt, prover_id, task_id, detail)
      VALUES (:jobId, :event, 'RUNNING', 'PARTIAL_CONTRIBUTION', :attempt, :proverId, :taskId, :detail)
      """);

  public int recordEvent(
      UUID jobId, int attempt, String event, String proverId, UUID taskId, String detail) {
    return EVENT
        .on(connection)
        .bind("jobId", jobId)
        .bind("attempt", attempt)
        .bind("event", event)
        .bind("proverId", proverId)
        .bind("taskId", taskId)
        .bind("detail", detail)
        .update();
  }
}
