package zisk.distributed.worker.task;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.api.v1.ExecuteTaskRequest;
import zisk.distributed.worker.metrics.WorkerMetrics;

/**
 * The log lines of a task's life on this prover, always with the prover, job and task ids, so that
 * {@link TaskRunner} reads as what happens rather than as what is said about it.
 */
final class TaskLog {

  private static final Logger log = LoggerFactory.getLogger(TaskRunner.class);

  private final String proverId;
  private final WorkerMetrics metrics;

  TaskLog(String proverId, WorkerMetrics metrics) {
    this.proverId = proverId;
    this.metrics = metrics;
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
    metrics.taskEnded(task.getTaskType().name(), "stopped", Duration.ofMillis(millis));
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
    metrics.taskEnded(
        task.getTaskType().name(),
        failure == null ? "succeeded" : "failed",
        Duration.ofMillis(millis));
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
