package zisk.distributed.coordinator.store;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * The SQL of task deadlines: which DISPATCHED tasks ran past their phase's limit (the job's own, or
 * the coordinator's), and the transition that times one out.
 */
public final class DeadlineDao {

  private final Connection connection;

  DeadlineDao(Connection connection) {
    this.connection = connection;
  }

  /** A DISPATCHED task past its limit, as found (not locked). */
  public record OverdueTask(
      UUID taskId, UUID jobId, int attempt, Phase phase, String proverId, int limitSeconds) {}

  /**
   * DISPATCHED tasks of running attempts older than their limit, oldest first. Reads the partial
   * index of DISPATCHED tasks, of which there is at most one per prover. Database time on both
   * sides: dispatched_at is written by the database too.
   */
  private static final Sql OVERDUE =
      Sql.of(
          """
      SELECT task_id, job_id, attempt, task_type, prover_id, limit_seconds
      FROM (
          SELECT t.task_id, t.job_id, t.attempt, t.task_type, t.prover_id, t.dispatched_at,
                 CASE t.task_type
                     WHEN 'PARTIAL_CONTRIBUTION' THEN coalesce(j.partial_contribution_timeout_seconds, :partialContribution)
                     WHEN 'PROVE' THEN coalesce(j.prove_timeout_seconds, :prove)
                     ELSE coalesce(j.aggregate_timeout_seconds, :aggregate)
                 END AS limit_seconds
          FROM tasks t JOIN jobs j ON j.job_id = t.job_id AND j.attempt = t.attempt
          WHERE t.state = 'DISPATCHED' AND j.state = 'RUNNING') d
      WHERE dispatched_at < clock_timestamp() - make_interval(secs => limit_seconds)
      ORDER BY dispatched_at
      LIMIT :limit
      """);

  /**
   * @param partialContribution the coordinator's limits, for jobs that did not lower them
   * @param limit most tasks answered (the rest wait for the next sweep)
   */
  public List<OverdueTask> overdue(
      Duration partialContribution, Duration prove, Duration aggregate, int limit) {
    return OVERDUE
        .on(connection)
        .bind("partialContribution", (int) partialContribution.toSeconds())
        .bind("prove", (int) prove.toSeconds())
        .bind("aggregate", (int) aggregate.toSeconds())
        .bind("limit", limit)
        .list(
            row ->
                new OverdueTask(
                    Sql.uuid(row, "task_id"),
                    Sql.uuid(row, "job_id"),
                    row.getInt("attempt"),
                    Sql.constant(Phase.class, row, "task_type"),
                    row.getString("prover_id"),
                    row.getInt("limit_seconds")));
  }

  /**
   * DISPATCHED to TIMED_OUT, the job's timeouts counter up by one and a TASK_TIMED_OUT event, in
   * one statement; 0 when the task is no longer DISPATCHED (answered meanwhile, or timed out by
   * another coordinator). The caller holds the job's lock.
   */
  private static final Sql TIME_OUT =
      Sql.of(
          """
      WITH timed_out AS (
          UPDATE tasks SET state = 'TIMED_OUT', finished_at = clock_timestamp(), error_message = :reason
          WHERE task_id = :taskId AND state = 'DISPATCHED'
          RETURNING task_id, job_id, attempt, task_type, prover_id, rank_id),
      counted AS (
          UPDATE jobs SET timeouts = timeouts + 1, updated_at = now()
          WHERE job_id = (SELECT job_id FROM timed_out))
      INSERT INTO job_events (job_id, event, state, phase, attempt, prover_id, task_id, detail)
      SELECT job_id, 'TASK_TIMED_OUT', 'RUNNING', task_type, attempt, prover_id, task_id,
             'rank ' || rank_id || ': ' || :reason
      FROM timed_out
      """);

  public int timeOut(UUID taskId, String reason) {
    return TIME_OUT.on(connection).bind("taskId", taskId).bind("reason", reason).update();
  }
}
