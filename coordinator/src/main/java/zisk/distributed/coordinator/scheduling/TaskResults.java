package zisk.distributed.coordinator.scheduling;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.api.v1.ExecuteTaskResponse;
import zisk.distributed.api.v1.ProverError;
import zisk.distributed.api.v1.TaskType;
import zisk.distributed.coordinator.store.JobEvents;
import zisk.distributed.coordinator.store.JobState;
import zisk.distributed.coordinator.store.Phase;

/**
 * Accepts task outcomes. A result counts only when it comes from the prover that holds the task,
 * in its current session, for a DISPATCHED task of the job's running attempt; anything else (an
 * unknown or forged task, the wrong prover or phase, a duplicate, a result after a cancel) changes
 * nothing and is logged. The last result of a phase writes the next phase in the same transaction.
 */
public final class TaskResults {

  private static final Logger log = LoggerFactory.getLogger(TaskResults.class);

  /** The task as stored, with the facts the checks need. */
  private record Task(UUID taskId, UUID jobId, int attempt, Phase phase, int rank, String proverId, String state) {}

  private final Jdbi jdbi;
  private final UUID instanceId;

  public TaskResults(Jdbi jdbi, UUID instanceId) {
    this.jdbi = jdbi;
    this.instanceId = instanceId;
  }

  public Effects accept(String proverId, long epoch, ExecuteTaskResponse response) {
    return jdbi.inTransaction(handle -> {
      Effects effects = Effects.none();
      Optional<Task> task = lockCurrentTask(handle, proverId, epoch, response.getTaskId(), response.getJobId(),
          response.getTaskType());
      if (task.isEmpty()) {
        return effects;
      }
      if (!response.getSuccess()) {
        fail(handle, task.get(), response.getErrorMessage().isBlank() ? "task failed" : response.getErrorMessage(), effects);
        return effects;
      }
      Optional<byte[]> result = resultOf(task.get().phase(), response);
      if (result.isEmpty()) {
        fail(handle, task.get(), "the result does not match the task type " + task.get().phase(), effects);
        return effects;
      }
      succeed(handle, task.get(), result.get(), effects);
      return effects;
    });
  }

  /** A ProverError about a job: fails the prover's running task of that job, if it has one. */
  public Effects reportError(String proverId, long epoch, ProverError error) {
    return jdbi.inTransaction(handle -> {
      Effects effects = Effects.none();
      Optional<String> taskId = handle.createQuery("""
              SELECT task_id::text FROM tasks WHERE prover_id = :proverId AND state = 'DISPATCHED'
                AND job_id::text = :jobId AND (:taskId = '' OR task_id::text = :taskId)
              """)
          .bind("proverId", proverId).bind("jobId", error.getJobId()).bind("taskId", error.getTaskId())
          .mapTo(String.class).findOne();
      if (taskId.isEmpty()) {
        log.info("Prover {} reported an error outside any running task (job '{}'): {}", proverId, error.getJobId(),
            error.getErrorMessage());
        return effects;
      }
      Task task = lockCurrentTask(handle, proverId, epoch, taskId.get(), error.getJobId(), null).orElse(null);
      if (task != null) {
        fail(handle, task, "prover error: " + error.getErrorMessage(), effects);
      }
      return effects;
    });
  }

  /**
   * Finds and locks the task (job row first, then task, then prover: the lock order of every
   * transition), and checks that it is this prover's live task. Empty, with a log line, otherwise.
   */
  private Optional<Task> lockCurrentTask(Handle handle, String proverId, long epoch, String taskIdText, String jobIdText,
      TaskType reportedType) {
    UUID taskId = parseUuid(taskIdText);
    if (taskId == null) {
      log.warn("Ignored a result from prover {} with malformed task id '{}'", proverId, taskIdText);
      return Optional.empty();
    }
    Optional<UUID> jobOfTask = handle.createQuery("SELECT job_id FROM tasks WHERE task_id = :taskId")
        .bind("taskId", taskId).mapTo(UUID.class).findOne();
    if (jobOfTask.isEmpty()) {
      log.warn("Ignored a result from prover {} for unknown task {}", proverId, taskId);
      return Optional.empty();
    }
    Optional<Integer> runningAttempt = handle.createQuery(
            "SELECT attempt FROM jobs WHERE job_id = :jobId AND state = 'RUNNING' FOR UPDATE")
        .bind("jobId", jobOfTask.get()).mapTo(Integer.class).findOne();
    Task task = handle.createQuery("""
            SELECT task_id, job_id, attempt, task_type, rank_id, prover_id, state FROM tasks WHERE task_id = :taskId FOR UPDATE
            """)
        .bind("taskId", taskId)
        .map((rs, ctx) -> new Task(rs.getObject("task_id", UUID.class), rs.getObject("job_id", UUID.class),
            rs.getInt("attempt"), Phase.valueOf(rs.getString("task_type")), rs.getInt("rank_id"),
            rs.getString("prover_id"), rs.getString("state")))
        .one();
    String problem = null;
    if (!task.proverId().equals(proverId)) {
      problem = "it belongs to prover " + task.proverId();
    } else if (!task.jobId().toString().equals(jobIdText)) {
      problem = "it belongs to job " + task.jobId() + ", not '" + jobIdText + "'";
    } else if (reportedType != null && !reportedType.name().equals(task.phase().name())) {
      problem = "it is a " + task.phase() + " task, not " + reportedType;
    } else if (runningAttempt.isEmpty() || runningAttempt.get() != task.attempt()) {
      problem = "its job attempt is no longer running";
    } else if (!"DISPATCHED".equals(task.state())) {
      problem = "it is already " + task.state();
    } else if (!isCurrentSession(handle, proverId, epoch)) {
      problem = "it comes from an old session of the prover";
    }
    if (problem != null) {
      log.info("Ignored a result from prover {} for task {} of job {}: {}", proverId, taskId, task.jobId(), problem);
      return Optional.empty();
    }
    return Optional.of(task);
  }

  private boolean isCurrentSession(Handle handle, String proverId, long epoch) {
    return handle.createQuery("""
            SELECT count(*) FROM provers WHERE prover_id = :proverId AND session_epoch = :epoch AND instance_id = :instanceId
            """)
        .bind("proverId", proverId).bind("epoch", epoch).bind("instanceId", instanceId)
        .mapTo(Integer.class).one() == 1;
  }

  private static Optional<byte[]> resultOf(Phase phase, ExecuteTaskResponse response) {
    return switch (phase) {
      case PARTIAL_CONTRIBUTION -> response.hasChallenges() ? Optional.of(response.getChallenges().toByteArray()) : Optional.empty();
      case PROVE -> response.hasProofs() ? Optional.of(response.getProofs().toByteArray()) : Optional.empty();
      case AGGREGATE -> response.hasFinalProof() ? Optional.of(response.getFinalProof().toByteArray()) : Optional.empty();
    };
  }

  private static void fail(Handle handle, Task task, String reason, Effects effects) {
    handle.createUpdate("""
            UPDATE tasks SET state = 'FAILED', finished_at = clock_timestamp(), error_message = :reason WHERE task_id = :taskId
            """)
        .bind("reason", reason).bind("taskId", task.taskId()).execute();
    JobEvents.record(handle, task.jobId(), "TASK_FAILED", JobState.RUNNING, task.phase(), task.attempt(), task.proverId(),
        task.taskId(), reason);
    JobFailures.failAttempt(handle, task.jobId(), task.attempt(), task.proverId(), JobFailures.Cause.TASK_ERROR,
        "prover " + task.proverId() + " failed " + task.phase() + ": " + reason, effects);
  }

  private static void succeed(Handle handle, Task task, byte[] result, Effects effects) {
    handle.createUpdate("""
            UPDATE tasks SET state = 'SUCCEEDED', finished_at = clock_timestamp(), result = :result WHERE task_id = :taskId
            """)
        .bind("result", result).bind("taskId", task.taskId()).execute();
    handle.createUpdate("UPDATE provers SET last_heartbeat_at = now() WHERE prover_id = :proverId")
        .bind("proverId", task.proverId()).execute();
    JobEvents.record(handle, task.jobId(), "TASK_SUCCEEDED", JobState.RUNNING, task.phase(), task.attempt(),
        task.proverId(), task.taskId(), "rank " + task.rank());
    switch (task.phase()) {
      case PARTIAL_CONTRIBUTION -> {
        if (phaseComplete(handle, task)) {
          startProve(handle, task, effects);
        }
      }
      case PROVE -> {
        boolean firstToFinish = succeededCount(handle, task) == 1;
        if (!firstToFinish) {
          // Its part is done; the first prover to finish PROVE stays reserved to aggregate.
          release(handle, task.proverId(), effects);
        }
        if (phaseComplete(handle, task)) {
          startAggregate(handle, task, effects);
        }
      }
      case AGGREGATE -> complete(handle, task, result, effects);
    }
  }

  private static void startProve(Handle handle, Task task, Effects effects) {
    List<String> provers = handle.createQuery("""
            INSERT INTO tasks (job_id, attempt, task_type, rank_id, prover_id, compute_units)
            SELECT job_id, attempt, 'PROVE', rank_id, prover_id, compute_units FROM tasks
            WHERE job_id = :jobId AND attempt = :attempt AND task_type = 'PARTIAL_CONTRIBUTION'
            RETURNING prover_id
            """)
        .bind("jobId", task.jobId()).bind("attempt", task.attempt()).mapTo(String.class).list();
    enterPhase(handle, task, Phase.PROVE, provers.size() + " prover(s)");
    provers.forEach(effects::dispatch);
  }

  private static void startAggregate(Handle handle, Task task, Effects effects) {
    // The aggregator is the one prover of the job still reserved: the first to finish PROVE.
    String aggregator = handle.createQuery("""
            INSERT INTO tasks (job_id, attempt, task_type, rank_id, prover_id, compute_units)
            SELECT t.job_id, t.attempt, 'AGGREGATE', t.rank_id, t.prover_id, t.compute_units
            FROM tasks t JOIN provers p ON p.prover_id = t.prover_id AND p.current_job_id = t.job_id
            WHERE t.job_id = :jobId AND t.attempt = :attempt AND t.task_type = 'PROVE'
            RETURNING prover_id
            """)
        .bind("jobId", task.jobId()).bind("attempt", task.attempt()).mapTo(String.class).one();
    enterPhase(handle, task, Phase.AGGREGATE, "aggregator " + aggregator);
    effects.dispatch(aggregator);
  }

  private static void complete(Handle handle, Task task, byte[] finalProof, Effects effects) {
    handle.createUpdate("""
            UPDATE jobs SET state = 'COMPLETED', final_proof = :proof, finished_at = clock_timestamp(), updated_at = now(),
                            error_code = NULL, error_message = NULL, waiting_reason = NULL
            WHERE job_id = :jobId AND state = 'RUNNING'
            """)
        .bind("proof", finalProof).bind("jobId", task.jobId()).execute();
    for (String proverId : zisk.distributed.coordinator.store.ProverStore.freeForJob(handle, task.jobId())) {
      log.debug("Prover {} released by the completion of job {}", proverId, task.jobId());
    }
    JobEvents.record(handle, task.jobId(), "COMPLETED", JobState.COMPLETED, Phase.AGGREGATE, task.attempt(),
        task.proverId(), task.taskId(), "final proof " + finalProof.length + " bytes");
    log.info("Job {} COMPLETED (attempt {}, aggregated by {})", task.jobId(), task.attempt(), task.proverId());
    effects.admit();
  }

  private static void enterPhase(Handle handle, Task task, Phase phase, String detail) {
    handle.createUpdate("UPDATE jobs SET phase = :phase, updated_at = now() WHERE job_id = :jobId")
        .bind("phase", phase.name()).bind("jobId", task.jobId()).execute();
    JobEvents.record(handle, task.jobId(), "PHASE_STARTED", JobState.RUNNING, phase, task.attempt(), null, null, detail);
    log.debug("Job {} entered {} ({})", task.jobId(), phase, detail);
  }

  private static void release(Handle handle, String proverId, Effects effects) {
    handle.createUpdate("""
            UPDATE provers SET current_job_id = NULL,
                               state = CASE WHEN instance_id IS NULL THEN 'DISCONNECTED' ELSE 'IDLE' END,
                               stream_lost_at = NULL
            WHERE prover_id = :proverId
            """)
        .bind("proverId", proverId).execute();
    effects.admit();
  }

  private static boolean phaseComplete(Handle handle, Task task) {
    return handle.createQuery("""
            SELECT bool_and(state = 'SUCCEEDED') FROM tasks WHERE job_id = :jobId AND attempt = :attempt AND task_type = :phase
            """)
        .bind("jobId", task.jobId()).bind("attempt", task.attempt()).bind("phase", task.phase().name())
        .mapTo(Boolean.class).one();
  }

  private static int succeededCount(Handle handle, Task task) {
    return handle.createQuery("""
            SELECT count(*) FROM tasks WHERE job_id = :jobId AND attempt = :attempt AND task_type = :phase AND state = 'SUCCEEDED'
            """)
        .bind("jobId", task.jobId()).bind("attempt", task.attempt()).bind("phase", task.phase().name())
        .mapTo(Integer.class).one();
  }

  private static UUID parseUuid(String text) {
    try {
      return text.length() == 36 ? UUID.fromString(text) : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
