package zisk.distributed.coordinator.store;

import java.sql.Connection;
import java.util.List;
import java.util.UUID;
import zisk.distributed.coordinator.store.TaskDao.OutgoingTask;

/**
 * The reads behind sending tasks: the ASSIGNED tasks a coordinator claims for the streams it holds,
 * the DISPATCHED ones it sends again after a reconnect, and the inputs of a task whose transition
 * did not hand them over.
 */
public final class DispatchDao {

  private final Connection connection;

  DispatchDao(Connection connection) {
    this.connection = connection;
  }

  /**
   * Claims the ASSIGNED tasks of these provers, if this coordinator holds their streams, except
   * those a busy prover refused and whose pause has not ended. A task keeps its first dispatch
   * time.
   */
  private static final Sql CLAIM_ASSIGNED =
      Sql.of(
          """
      UPDATE tasks t SET state = 'DISPATCHED', dispatched_at = coalesce(t.dispatched_at, clock_timestamp())
      FROM provers p
      WHERE t.prover_id = p.prover_id AND t.prover_id = ANY(:proverIds) AND t.state = 'ASSIGNED'
        AND p.instance_id = :instanceId AND (t.dispatch_after IS NULL OR t.dispatch_after <= clock_timestamp())
      RETURNING t.task_id, t.job_id, t.attempt, t.task_type AS phase, t.rank_id, t.prover_id
      """);

  public List<OutgoingTask> claimAssigned(String[] proverIds, UUID instanceId) {
    return CLAIM_ASSIGNED
        .on(connection)
        .bind("proverIds", proverIds)
        .bind("instanceId", instanceId)
        .list(TaskDao::outgoing);
  }

  /** The provers, held by this coordinator, that have ASSIGNED tasks waiting. */
  private static final Sql PROVERS_WITH_ASSIGNED =
      Sql.of(
          """
      SELECT DISTINCT t.prover_id FROM tasks t JOIN provers p ON p.prover_id = t.prover_id
      WHERE t.state = 'ASSIGNED' AND p.instance_id = :instanceId
        AND (t.dispatch_after IS NULL OR t.dispatch_after <= clock_timestamp())
      """);

  public List<String> proversWithAssigned(UUID instanceId) {
    return PROVERS_WITH_ASSIGNED
        .on(connection)
        .bind("instanceId", instanceId)
        .list(row -> row.getString("prover_id"));
  }

  /**
   * The prover refused the DISPATCHED task as busy: back to ASSIGNED, not to be claimed before a
   * pause ({@code firstSeconds}, doubled per refusal of this task, at most {@code maxSeconds}),
   * with the TASK_BUSY event.
   */
  private static final Sql DEFER_BUSY =
      Sql.of(
          """
      WITH deferred AS (
          UPDATE tasks
          SET state = 'ASSIGNED', busy_answers = busy_answers + 1,
              dispatch_after = clock_timestamp()
                + make_interval(secs => least(:firstSeconds * power(2, least(busy_answers, 30)), :maxSeconds))
          WHERE task_id = :taskId AND state = 'DISPATCHED'
          RETURNING job_id, attempt, task_type, prover_id, busy_answers)
      INSERT INTO job_events (job_id, event, state, phase, attempt, prover_id, task_id, detail)
      SELECT job_id, 'TASK_BUSY', 'RUNNING', task_type, attempt, prover_id, :taskId,
             'prover busy with another task (refusal ' || busy_answers || '); the task is sent again later'
      FROM deferred
      """);

  public int deferBusy(UUID taskId, double firstSeconds, double maxSeconds) {
    return DEFER_BUSY
        .on(connection)
        .bind("taskId", taskId)
        .bind("firstSeconds", firstSeconds)
        .bind("maxSeconds", maxSeconds)
        .update();
  }

  /** The prover's DISPATCHED tasks, to send again after it reconnected. */
  private static final Sql DISPATCHED_TO =
      Sql.of(
          """
      SELECT task_id, job_id, attempt, task_type AS phase, rank_id, prover_id FROM tasks
      WHERE prover_id = :proverId AND state = 'DISPATCHED'
      """);

  public List<OutgoingTask> dispatchedTo(String proverId) {
    return DISPATCHED_TO.on(connection).bind("proverId", proverId).list(TaskDao::outgoing);
  }

  /**
   * The succeeded results of a phase, one per rank (a recomputed rank's latest, equal to the one
   * before it), in rank order: the inputs of the next phase.
   */
  private static final Sql RESULTS =
      Sql.of(
          """
      SELECT DISTINCT ON (rank_id) result FROM tasks
      WHERE job_id = :jobId AND attempt = :attempt AND task_type = :phase AND state = 'SUCCEEDED'
      ORDER BY rank_id, replacement DESC
      """);

  public List<byte[]> results(UUID jobId, int attempt, Phase phase) {
    return RESULTS
        .on(connection)
        .bind("jobId", jobId)
        .bind("attempt", attempt)
        .bind("phase", phase)
        .list(row -> row.getBytes("result"));
  }

  /** What a contribution task's parameters are made of. */
  private static final Sql CONTRIBUTION_INPUTS =
      Sql.of(
          """
      SELECT j.block_id, j.input_path, j.input_id, j.compute_capacity,
             -- (as integer: an array of a domain reaches JDBC without its element type)
             ARRAY(SELECT DISTINCT ON (t.rank_id) t.compute_units::integer FROM tasks t
                   WHERE t.job_id = j.job_id AND t.attempt = :attempt AND t.task_type = 'PARTIAL_CONTRIBUTION'
                   ORDER BY t.rank_id) AS allocation
      FROM jobs j WHERE j.job_id = :jobId
      """);

  public TaskInputs.Contribution contributionInputs(UUID jobId, int attempt) {
    return CONTRIBUTION_INPUTS
        .on(connection)
        .bind("jobId", jobId)
        .bind("attempt", attempt)
        .one(
            row ->
                new TaskInputs.Contribution(
                    row.getString("block_id"),
                    JobDao.path(row),
                    row.getInt("compute_capacity"),
                    List.of((Integer[]) row.getArray("allocation").getArray()),
                    row.getString("input_id")));
  }
}
