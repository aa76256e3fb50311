package zisk.distributed.coordinator.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The SQL of {@code tasks}. New tasks are written DISPATCHED straight away for provers whose stream
 * the writing coordinator holds (it sends them right after the commit), ASSIGNED for the others
 * (their coordinator claims and sends them).
 */
public final class TaskDao {

  private final Connection connection;

  TaskDao(Connection connection) {
    this.connection = connection;
  }

  /** A task a prover reported on, with what its checks need, its job row locked. */
  public record ReportedTask(
      UUID taskId,
      UUID jobId,
      int attempt,
      Phase phase,
      int rankId,
      String proverId,
      TaskState state,
      JobState jobState,
      int jobAttempt,
      int jobMaxAttempts,
      boolean currentSession,
      int replacement,
      boolean proverHasFaults) {}

  /**
   * A task to send: written DISPATCHED by this coordinator or claimed by it. {@code inputs} are
   * what its request is built from, or null when they are to be read then.
   */
  public record OutgoingTask(
      UUID taskId,
      UUID jobId,
      int attempt,
      Phase phase,
      int rankId,
      String proverId,
      TaskInputs inputs) {}

  /**
   * Finds the task and locks its job row (the first lock of every transition of a job), with the
   * facts that decide whether the report counts. {@code currentSession}: the reporting stream is
   * the prover's current session on this coordinator. {@code proverHasFaults}: the prover has a
   * quarantine record for a success to clear (QuarantineDao), so a prover without one costs no
   * statement.
   */
  private static final Sql LOCK_REPORTED =
      Sql.of(
          """
      SELECT t.task_id, t.job_id, t.attempt, t.task_type AS phase, t.rank_id, t.prover_id, t.state,
             j.state AS job_state, j.attempt AS job_attempt, j.max_attempts AS job_max_attempts,
             coalesce(p.session_epoch = :epoch AND p.instance_id = :instanceId, false) AS current_session,
             t.replacement,
             coalesce(zisk_has_fault_record(p), false) AS prover_has_faults
      FROM tasks t
      JOIN jobs j ON j.job_id = t.job_id
      LEFT JOIN provers p ON p.prover_id = :proverId
      WHERE t.task_id = :taskId
      FOR UPDATE OF j
      """);

  public Optional<ReportedTask> lockReported(
      UUID taskId, String proverId, long epoch, UUID instanceId) {
    return LOCK_REPORTED
        .on(connection)
        .bind("taskId", taskId)
        .bind("proverId", proverId)
        .bind("epoch", epoch)
        .bind("instanceId", instanceId)
        .optional(
            row ->
                new ReportedTask(
                    Sql.uuid(row, "task_id"),
                    Sql.uuid(row, "job_id"),
                    row.getInt("attempt"),
                    Sql.constant(Phase.class, row, "phase"),
                    row.getInt("rank_id"),
                    row.getString("prover_id"),
                    Sql.constant(TaskState.class, row, "state"),
                    Sql.constant(JobState.class, row, "job_state"),
                    row.getInt("job_attempt"),
                    row.getInt("job_max_attempts"),
                    row.getBoolean("current_session"),
                    row.getInt("replacement"),
                    row.getBoolean("prover_has_faults")));
  }

  /**
   * The prover's DISPATCHED task of a job, and of a phase unless null, for reports that do not name
   * their task (a ProverError without task id, a seed-era worker's result).
   */
  private static final Sql DISPATCHED_TASK_OF =
      Sql.of(
          """
      SELECT task_id FROM tasks
      WHERE prover_id = :proverId AND job_id = :jobId AND state = 'DISPATCHED'
        AND (:phase::text IS NULL OR task_type = :phase::text)
      """);

  public Optional<UUID> dispatchedTaskOf(String proverId, UUID jobId, Phase phase) {
    return DISPATCHED_TASK_OF
        .on(connection)
        .bind("proverId", proverId)
        .bind("jobId", jobId)
        .bind("phase", phase)
        .optional(row -> Sql.uuid(row, "task_id"));
  }

  /**
   * DISPATCHED to SUCCEEDED with its result and TASK_SUCCEEDED event, and nothing that follows (a
   * recomputed rank's contribution); answers the rows changed. {@link SuccessDao} records a success
   * with what follows.
   */
  private static final Sql SUCCEED =
      Sql.of(
          """
      SELECT updated FROM zisk_succeed_task(:taskId, :result)
      """);

  public int succeed(UUID taskId, byte[] result) {
    return SUCCEED
        .on(connection)
        .bind("taskId", taskId)
        .bind("result", result)
        .one(row -> row.getInt("updated"));
  }

  /** DISPATCHED to FAILED (the prover reported an error), with the TASK_FAILED event. */
  private static final Sql FAIL =
      Sql.of(
          """
      WITH failed AS (
          UPDATE tasks SET state = 'FAILED', finished_at = clock_timestamp(), error_message = :reason
          WHERE task_id = :taskId AND state = 'DISPATCHED'
          RETURNING job_id, attempt, task_type, prover_id)
      INSERT INTO job_events (job_id, event, state, phase, attempt, prover_id, task_id, detail)
      SELECT job_id, 'TASK_FAILED', 'RUNNING', task_type, attempt, prover_id, :taskId, :reason FROM failed
      """);

  public int fail(UUID taskId, String reason) {
    return FAIL.on(connection).bind("taskId", taskId).bind("reason", reason).update();
  }

  /** The prover's open tasks of a job are LOST with it, with the PROVER_LOST event. */
  private static final Sql LOSE =
      Sql.of(
          """
      WITH lost AS (
          UPDATE tasks SET state = 'LOST', finished_at = clock_timestamp(), error_message = :reason
          WHERE prover_id = :proverId AND job_id = :jobId AND state IN ('ASSIGNED', 'DISPATCHED')
          RETURNING job_id)
      INSERT INTO job_events (job_id, event, state, attempt, prover_id, detail)
      VALUES (:jobId, 'PROVER_LOST', 'RUNNING', :attempt, :proverId, :reason)
      """);

  public int lose(String proverId, UUID jobId, int attempt, String reason) {
    return LOSE.on(connection)
        .bind("proverId", proverId)
        .bind("jobId", jobId)
        .bind("attempt", attempt)
        .bind("reason", reason)
        .update();
  }

  /** Every open task of the job is CANCELLED. */
  private static final Sql CANCEL_OPEN =
      Sql.of(
          """
      UPDATE tasks SET state = 'CANCELLED', finished_at = clock_timestamp()
      WHERE job_id = :jobId AND state IN ('ASSIGNED', 'DISPATCHED')
      """);

  public int cancelOpen(UUID jobId) {
    return CANCEL_OPEN.on(connection).bind("jobId", jobId).update();
  }

  /** An attempt just started: its tasks, and how many job and prover rows the start changed. */
  public record StartedAttempt(List<WrittenTask> tasks, int started, int reserved) {}

  /**
   * Starts the job's next attempt on the provers admission chose, in one statement: the job RUNNING
   * (with its STARTED event), the provers BUSY for it, and one PARTIAL_CONTRIBUTION task per
   * prover, rank by position, each with its share of the compute units.
   */
  private static final Sql START_ATTEMPT =
      Sql.of(
          """
      WITH started AS (
          UPDATE jobs SET state = 'RUNNING', phase = 'PARTIAL_CONTRIBUTION', attempt = :attempt, started_at = now(),
                          waiting_reason = NULL, updated_at = now()
          WHERE job_id = :jobId AND state = 'QUEUED' AND attempt = :attempt - 1
          RETURNING job_id),
      recorded AS (
          INSERT INTO job_events (job_id, event, state, phase, attempt, detail)
          SELECT job_id, 'STARTED', 'RUNNING', 'PARTIAL_CONTRIBUTION', :attempt, :detail FROM started),
      reserved AS (
          UPDATE provers SET state = 'BUSY', current_job_id = :jobId
          WHERE prover_id = ANY(:proverIds) AND state = 'IDLE' AND EXISTS (SELECT 1 FROM started)
          RETURNING prover_id, instance_id),
      written AS (
          INSERT INTO tasks (job_id, attempt, task_type, rank_id, prover_id, compute_units, state, dispatched_at)
          SELECT :jobId, :attempt, 'PARTIAL_CONTRIBUTION', (r.ord - 1)::int, r.prover_id, r.units,
                 CASE WHEN p.instance_id = :instanceId THEN 'DISPATCHED' ELSE 'ASSIGNED' END,
                 CASE WHEN p.instance_id = :instanceId THEN clock_timestamp() END
          FROM unnest(CAST(:proverIds AS text[]), CAST(:units AS integer[])) WITH ORDINALITY AS r (prover_id, units, ord)
          JOIN reserved p ON p.prover_id = r.prover_id
          RETURNING task_id, job_id, attempt, task_type, rank_id, prover_id, state)
      SELECT w.task_id, w.job_id, w.attempt, w.task_type AS phase, w.rank_id, w.prover_id, w.state,
             (SELECT count(*) FROM started) AS started, (SELECT count(*) FROM reserved) AS reserved
      FROM written w
      ORDER BY w.rank_id
      """);

  public StartedAttempt startAttempt(
      UUID jobId,
      int attempt,
      String[] proverIds,
      Integer[] units,
      UUID instanceId,
      String detail) {
    int[] counts = new int[2];
    List<WrittenTask> tasks =
        START_ATTEMPT
            .on(connection)
            .bind("jobId", jobId)
            .bind("attempt", attempt)
            .bind("proverIds", proverIds)
            .bind("units", units)
            .bind("instanceId", instanceId)
            .bind("detail", detail)
            .list(
                row -> {
                  counts[0] = row.getInt("started");
                  counts[1] = row.getInt("reserved");
                  return written(row);
                });
    return new StartedAttempt(tasks, counts[0], counts[1]);
  }

  /** A task just written, and whether it went out DISPATCHED or waits ASSIGNED. */
  public record WrittenTask(
      UUID taskId,
      UUID jobId,
      int attempt,
      Phase phase,
      int rankId,
      String proverId,
      TaskState state) {
    public OutgoingTask outgoing(TaskInputs inputs) {
      return new OutgoingTask(taskId, jobId, attempt, phase, rankId, proverId, inputs);
    }
  }

  /** Whether the prover's whole part of the job's running attempt is tasks never sent to it. */
  private static final Sql ONLY_ASSIGNED =
      Sql.of(
          """
      SELECT coalesce(bool_and(t.state = 'ASSIGNED'), false) FROM jobs j
      JOIN tasks t ON t.job_id = j.job_id AND t.attempt = j.attempt AND t.prover_id = :proverId
      WHERE j.job_id = :jobId AND j.state = 'RUNNING'
      """);

  public boolean onlyAssigned(String proverId, UUID jobId) {
    return ONLY_ASSIGNED
        .on(connection)
        .bind("proverId", proverId)
        .bind("jobId", jobId)
        .one(row -> row.getBoolean(1));
  }

  /** A row with the columns of {@link WrittenTask}, the task type as {@code phase}. */
  static WrittenTask written(ResultSet row) throws SQLException {
    return new WrittenTask(
        Sql.uuid(row, "task_id"),
        Sql.uuid(row, "job_id"),
        row.getInt("attempt"),
        Sql.constant(Phase.class, row, "phase"),
        row.getInt("rank_id"),
        row.getString("prover_id"),
        Sql.constant(TaskState.class, row, "state"));
  }

  static OutgoingTask outgoing(ResultSet row) throws SQLException {
    return new OutgoingTask(
        Sql.uuid(row, "task_id"),
        Sql.uuid(row, "job_id"),
        row.getInt("attempt"),
        Sql.constant(Phase.class, row, "phase"),
        row.getInt("rank_id"),
        row.getString("prover_id"),
        null);
  }
}
