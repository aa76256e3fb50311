package zisk.distributed.worker.task;

import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;
import zisk.distributed.api.v1.ExecuteTaskRequest;
import zisk.distributed.api.v1.ProverMessage;
import zisk.distributed.api.v1.TaskProgress;
import zisk.distributed.common.rules.SafeText;
import zisk.distributed.worker.prover.ProgressListener;

/**
 * Turns a backend's progress into {@code ProverMessage.progress} for the task that runs for that
 * job, at most about four a second (the coordinator relays no more), sent on the current stream if
 * there is one. Progress is a hint: none is kept for later, and any that cannot go now is dropped.
 */
public final class ProgressReporter implements ProgressListener {

  /** The least time between two reports sent for one task. */
  static final long MIN_GAP_NANOS = 250_000_000L;

  static final int MAX_TEXT = 200;

  private final Supplier<Optional<ExecuteTaskRequest>> running;
  private final Predicate<ProverMessage> send;
  private String lastTaskId;
  private long lastSentNanos;

  /**
   * @param running the task that runs now
   * @param send writes a message on the current stream; false when there is none
   */
  public ProgressReporter(
      Supplier<Optional<ExecuteTaskRequest>> running, Predicate<ProverMessage> send) {
    this.running = running;
    this.send = send;
  }

  @Override
  public void progress(String jobId, double fraction, String text) {
    if (!Double.isFinite(fraction)) {
      return;
    }
    ExecuteTaskRequest task = running.get().orElse(null);
    if (task == null || !task.getJobId().equals(jobId) || !due(task.getTaskId())) {
      return;
    }
    send.test(
        ProverMessage.newBuilder()
            .setProgress(
                TaskProgress.newBuilder()
                    .setJobId(jobId)
                    .setTaskId(task.getTaskId())
                    .setFraction(Math.min(1, Math.max(0, fraction)))
                    .setText(SafeText.clean(text, MAX_TEXT)))
            .build());
  }

  private synchronized boolean due(String taskId) {
    long now = System.nanoTime();
    if (taskId.equals(lastTaskId) && now - lastSentNanos < MIN_GAP_NANOS) {
      return false;
    }
    lastTaskId = taskId;
    lastSentNanos = now;
    return true;
  }
}
