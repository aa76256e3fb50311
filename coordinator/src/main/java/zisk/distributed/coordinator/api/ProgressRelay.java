package zisk.distributed.coordinator.api;

import zisk.distributed.api.v1.ExecuteTaskRequest;
import zisk.distributed.api.v1.TaskProgress;
import zisk.distributed.common.rules.SafeText;
import zisk.distributed.coordinator.scheduling.JobWatchers;
import zisk.distributed.coordinator.session.ProverSession;
import zisk.distributed.coordinator.session.SentTask;

/**
 * {@code ProverMessage.progress}: checked against the task this stream was sent and has not
 * answered (memory only, no database), cleaned, rate-limited per task, and relayed to the job's
 * watchers on every coordinator; never stored. Anything else is ignored and said once
 * (IgnoredMessages).
 */
final class ProgressRelay {

  /** Progress reports text beyond this is cut. */
  static final int MAX_TEXT = 200;

  /** At most about four reports a second per task reach watchers. */
  static final long MIN_GAP_NANOS = 250_000_000L;

  private final JobWatchers watchers;

  ProgressRelay(JobWatchers watchers) {
    this.watchers = watchers;
  }

  void relay(ProverSession session, TaskProgress progress) {
    SentTask sent = session.runningTask(progress.getJobId(), progress.getTaskId()).orElse(null);
    if (sent == null) {
      session
          .ignored()
          .ignored(
              "progress for task "
                  + SafeText.shorten(progress.getTaskId())
                  + " of job "
                  + SafeText.shorten(progress.getJobId())
                  + " ignored: not a task running on this stream");
      return;
    }
    ExecuteTaskRequest task = sent.request();
    double fraction = progress.getFraction();
    if (!Double.isFinite(fraction) || fraction < 0 || fraction > 1) {
      session
          .ignored()
          .ignored(
              "progress for task "
                  + task.getTaskId()
                  + " ignored: fraction "
                  + SafeText.shorten(String.valueOf(fraction))
                  + " is not within [0, 1]");
      return;
    }
    if (!session.progressDue(MIN_GAP_NANOS)) {
      return; // too soon after the last one: dropped quietly, the next one says more
    }
    watchers.publish(
        TaskProgress.newBuilder()
            .setJobId(task.getJobId())
            .setTaskId(task.getTaskId())
            .setFraction(fraction)
            .setText(SafeText.clean(progress.getText(), MAX_TEXT))
            .setProverId(session.proverId())
            .setTaskType(task.getTaskType())
            .setRank(sent.rank())
            .build());
  }
}
