package zisk.distributed.coordinator.store;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * The SQL of {@code tasks}. New tasks are written DISPATCHED straight away for provers whose
 * stream the writing coordinator holds (it sends them right after the commit), ASSIGNED for the
 * others (their coordinator claims and sends them).
 */
public interface TaskDao {

  /** A task a prover reported on, with what its checks need, its job row locked. */
  record ReportedTask(
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
      boolean currentSession) {}

  /** How a phase stands once one task of it succeeded. */
  record PhaseProgress(int updated, int succeededBefore, int unfinished) {}

  /**
   * A task to send: written DISPATCHED by this coordinator or claimed by it. Its inputs are read
   * when the request is built.
   */
  record OutgoingTask(UUID taskId, UUID jobId, int attempt, Phase phase, int rankId, String proverId) {}

  /**
   * Finds the task and locks its job row (the first lock of every transition of a job), with the
   * facts that decide whether the report counts. {@code currentSession}: the reporting stream is
   * the prover's current session on this coordinator.
   */
  @SqlQuery("""
      SELECT t.task_id, t.job_id, t.attempt, t.task_type AS phase, t.rank_id, t.prover_id, t.state,
             j.state AS job_state, j.attempt AS job_attempt, j.max_attempts AS job_max_attempts,
             coalesce(p.session_epoch = :epoch AND p.instance_id = :instanceId, false) AS current_session
      FROM tasks t
      JOIN jobs j ON j.job_id = t.job_id
      LEFT JOIN provers p ON p.prover_id = :proverId
      WHERE t.task_id = :taskId
      FOR UPDATE OF j
      """)
  Optional<ReportedTask> lockReported(UUID taskId, String proverId, long epoch, UUID instanceId);

  /**
   * The prover's DISPATCHED task of a job, for reports that do not name their task (a ProverError
   * without task id).
   */
  @SqlQuery("SELECT task_id FROM tasks WHERE prover_id = :proverId AND job_id = :jobId AND state = 'DISPATCHED'")
  Optional<UUID> dispatchedTaskOf(String proverId, UUID jobId);

  /**
   * DISPATCHED to SUCCEEDED with its result and TASK_SUCCEEDED event, answering how the task's
   * phase stands: {@code updated} (0 or 1), how many of the phase had succeeded before, and how
   * many others are not finished. (The outer query sees the phase as it was before this update.)
   */
  @SqlQuery("""
      WITH succeeded AS (
          UPDATE tasks SET state = 'SUCCEEDED', result = :result, finished_at = clock_timestamp()
          WHERE task_id = :taskId AND state = 'DISPATCHED'
          RETURNING job_id, attempt, task_type, prover_id, rank_id),
      recorded AS (
          INSERT INTO job_events (job_id, event, state, phase, attempt, prover_id, task_id, detail)
          SELECT job_id, 'TASK_SUCCEEDED', 'RUNNING', task_type, attempt, prover_id, :taskId, 'rank ' || rank_id
          FROM succeeded)
      SELECT (SELECT count(*) FROM succeeded) AS updated,
             count(*) FILTER (WHERE t.state = 'SUCCEEDED') AS succeeded_before,
             count(*) FILTER (WHERE t.state <> 'SUCCEEDED' AND t.task_id <> :taskId) AS unfinished
      FROM tasks t
      WHERE t.job_id = :jobId AND t.attempt = :attempt AND t.task_type = :phase
      """)
  PhaseProgress succeed(UUID taskId, UUID jobId, int attempt, Phase phase, byte[] result);

  /** DISPATCHED to FAILED (the prover reported an error), with the TASK_FAILED event. */
  @SqlUpdate("""
      WITH failed AS (
          UPDATE tasks SET state = 'FAILED', finished_at = clock_timestamp(), error_message = :reason
          WHERE task_id = :taskId AND state = 'DISPATCHED'
          RETURNING job_id, attempt, task_type, prover_id)
      INSERT INTO job_events (job_id, event, state, phase, attempt, prover_id, task_id, detail)
      SELECT job_id, 'TASK_FAILED', 'RUNNING', task_type, attempt, prover_id, :taskId, :reason FROM failed
      """)
  int fail(UUID taskId, String reason);

  /** The prover's open tasks of a job are LOST with it, with the PROVER_LOST event. */
  @SqlUpdate("""
      WITH lost AS (
          UPDATE tasks SET state = 'LOST', finished_at = clock_timestamp(), error_message = :reason
          WHERE prover_id = :proverId AND job_id = :jobId AND state IN ('ASSIGNED', 'DISPATCHED')
          RETURNING job_id)
      INSERT INTO job_events (job_id, event, state, attempt, prover_id, detail)
      VALUES (:jobId, 'PROVER_LOST', 'RUNNING', :attempt, :proverId, :reason)
      """)
  int lose(String proverId, UUID jobId, int attempt, String reason);

  /** Every open task of the job is CANCELLED. */
  @SqlUpdate("""
      UPDATE tasks SET state = 'CANCELLED', finished_at = clock_timestamp()
      WHERE job_id = :jobId AND state IN ('ASSIGNED', 'DISPATCHED')
      """)
  int cancelOpen(UUID jobId);

  /**
   * The first phase of an attempt: one PARTIAL_CONTRIBUTION task per prover, rank by position,
   * each with its share of the compute units.
   */
  @SqlQuery("""
      INSERT INTO tasks (job_id, attempt, task_type, rank_id, prover_id, compute_units, state, dispatched_at)
      SELECT :jobId, :attempt, 'PARTIAL_CONTRIBUTION', (r.ord - 1)::int, r.prover_id, r.units,
             CASE WHEN p.instance_id = :instanceId THEN 'DISPATCHED' ELSE 'ASSIGNED' END,
             CASE WHEN p.instance_id = :instanceId THEN clock_timestamp() END
      FROM unnest(CAST(:proverIds AS text[]), CAST(:units AS integer[])) WITH ORDINALITY AS r (prover_id, units, ord)
      JOIN provers p ON p.prover_id = r.prover_id
      RETURNING task_id, job_id, attempt, task_type AS phase, rank_id, prover_id, state
      """)
  List<WrittenTask> insertContributions(UUID jobId, int attempt, String[] proverIds, Integer[] units, UUID instanceId);

  /**
   * The next phase's tasks, one per prover of the job still reserved for it ({@code current_job_id}):
   * every rank for PROVE, the first prover to finish PROVE for AGGREGATE.
   */
  @SqlQuery("""
      INSERT INTO tasks (job_id, attempt, task_type, rank_id, prover_id, compute_units, state, dispatched_at)
      SELECT t.job_id, t.attempt, :next, t.rank_id, t.prover_id, t.compute_units,
             CASE WHEN p.instance_id = :instanceId THEN 'DISPATCHED' ELSE 'ASSIGNED' END,
             CASE WHEN p.instance_id = :instanceId THEN clock_timestamp() END
      FROM tasks t JOIN provers p ON p.prover_id = t.prover_id AND p.current_job_id = t.job_id
      WHERE t.job_id = :jobId AND t.attempt = :attempt AND t.task_type = :previous
      ORDER BY t.rank_id
      RETURNING task_id, job_id, attempt, task_type AS phase, rank_id, prover_id, state
      """)
  List<WrittenTask> insertNextPhase(UUID jobId, int attempt, Phase previous, Phase next, UUID instanceId);

  /** A task just written, and whether it went out DISPATCHED or waits ASSIGNED. */
  record WrittenTask(UUID taskId, UUID jobId, int attempt, Phase phase, int rankId, String proverId, TaskState state) {
    public OutgoingTask outgoing() {
      return new OutgoingTask(taskId, jobId, attempt, phase, rankId, proverId);
    }
  }

  /** Claims the ASSIGNED tasks of these provers, if this coordinator holds their streams. */
  @SqlQuery("""
      UPDATE tasks t SET state = 'DISPATCHED', dispatched_at = clock_timestamp()
      FROM provers p
      WHERE t.prover_id = p.prover_id AND t.prover_id = ANY(:proverIds) AND t.state = 'ASSIGNED'
        AND p.instance_id = :instanceId
      RETURNING t.task_id, t.job_id, t.attempt, t.task_type AS phase, t.rank_id, t.prover_id
      """)
  List<OutgoingTask> claimAssigned(String[] proverIds, UUID instanceId);

  /** The provers, held by this coordinator, that have ASSIGNED tasks waiting. */
  @SqlQuery("""
      SELECT DISTINCT t.prover_id FROM tasks t JOIN provers p ON p.prover_id = t.prover_id
      WHERE t.state = 'ASSIGNED' AND p.instance_id = :instanceId
      """)
  List<String> proversWithAssigned(UUID instanceId);

  /** The prover's DISPATCHED tasks, to send again after it reconnected. */
  @SqlQuery("""
      SELECT task_id, job_id, attempt, task_type AS phase, rank_id, prover_id FROM tasks
      WHERE prover_id = :proverId AND state = 'DISPATCHED'
      """)
  List<OutgoingTask> dispatchedTo(String proverId);

  /** Whether the prover's whole part of the job's running attempt is tasks never sent to it. */
  @SqlQuery("""
      SELECT coalesce(bool_and(t.state = 'ASSIGNED'), false) FROM jobs j
      JOIN tasks t ON t.job_id = j.job_id AND t.attempt = j.attempt AND t.prover_id = :proverId
      WHERE j.job_id = :jobId AND j.state = 'RUNNING'
      """)
  boolean onlyAssigned(String proverId, UUID jobId);

  /** The succeeded results of a phase, in rank order: the inputs of the next phase. */
  @SqlQuery("""
      SELECT result FROM tasks
      WHERE job_id = :jobId AND attempt = :attempt AND task_type = :phase AND state = 'SUCCEEDED'
      ORDER BY rank_id
      """)
  List<byte[]> results(UUID jobId, int attempt, Phase phase);

  /** What a contribution task's parameters are made of. */
  record ContributionInputs(String blockId, String inputPath, int computeCapacity, List<Integer> allocation) {}

  @SqlQuery("""
      SELECT j.block_id, j.input_path, j.compute_capacity,
             ARRAY(SELECT t.compute_units FROM tasks t
                   WHERE t.job_id = j.job_id AND t.attempt = :attempt AND t.task_type = 'PARTIAL_CONTRIBUTION'
                   ORDER BY t.rank_id) AS allocation
      FROM jobs j WHERE j.job_id = :jobId
      """)
  ContributionInputs contributionInputs(UUID jobId, int attempt);
}
