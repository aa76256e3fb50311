package zisk.distributed.worker.task;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.api.v1.ExecuteTaskRequest;

/**
 * The log lines of a task's life on this prover, always with the prover, job and task ids, so that
 * {@link TaskRunner} reads as what happens rather than as what is said about it.
 */
final class TaskLog {

  private static final Logger log = LoggerFactory.getLogger(TaskRunner.class);

  private final String proverId;

  TaskLog(String proverId) {
    this.proverId = proverId;
  }

  void dropped(ExecuteTaskRequest task, String reason) {
    log.info(
        "prover {} job {} task {}: dropped before it started ({})",
        proverId,
        task.getJobId(),
        task.getTaskId(),
        reason);
  }

  void running(ExecuteTaskRequest task) {
    log.info(
        "prover {} job {} task {}: running {}",
        proverId,
        task.getJobId(),
        task.getTaskId(),
        task.getTaskType());
  }

  void stopped(ExecuteTaskRequest task, long millis, String reason) {
    log.info(
        "prover {} job {} task {}: stopped after {} ms ({}); nothing sent",
        proverId,
        task.getJobId(),
        task.getTaskId(),
        millis,
        reason);
  }

  /** The task ran to an end: done, or failed with {@code failure}. */
  void ended(ExecuteTaskRequest task, long millis, Throwable failure) {
    if (failure != null) {
      log.warn(
          "prover {} job {} task {}: {} failed after {} ms: {}",
          proverId,
          task.getJobId(),
          task.getTaskId(),
          task.getTaskType(),
          millis,
          TaskResponses.describe(failure),
          failure);
    } else {
      log.info(
          "prover {} job {} task {}: {} done in {} ms",
          proverId,
          task.getJobId(),
          task.getTaskId(),
          task.getTaskType(),
          millis);
    }
  }
}
