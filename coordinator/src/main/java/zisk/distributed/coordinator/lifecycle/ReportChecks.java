package zisk.distributed.coordinator.lifecycle;

import java.util.Optional;
import java.util.UUID;
import zisk.distributed.common.rules.SafeText;
import zisk.distributed.common.rules.Uuids;
import zisk.distributed.coordinator.store.JobState;
import zisk.distributed.coordinator.store.Phase;
import zisk.distributed.coordinator.store.TaskDao.ReportedTask;
import zisk.distributed.coordinator.store.TaskState;
import zisk.distributed.coordinator.store.Tx;

/**
 * Finds the task a prover's report is about, and says why a report does not count. A report without
 * a task id (a seed-era worker: the seed protocol has none) is about the prover's DISPATCHED task
 * of the named job, and of the phase the report names or whose result it carries. A report that
 * does not count is recorded in the {@link Effects} with its reason, so that it is logged once,
 * after the commit, and never silently dropped.
 */
final class ReportChecks {

  private final UUID instanceId;

  ReportChecks(UUID instanceId) {
    this.instanceId = instanceId;
  }

  /** The task, locked with its job, if the report counts; else empty, its reason in effects. */
  Optional<ReportedTask> check(Tx tx, TaskReport report, Effects effects) {
    String proverId = report.proverId();
    Optional<UUID> taskId;
    if (report.taskId().isEmpty()) {
      Phase phase = report.reportedPhase() != null ? report.reportedPhase() : report.resultPhase();
      taskId =
          Uuids.parse(report.jobId())
              .flatMap(job -> tx.tasks().dispatchedTaskOf(proverId, job, phase));
      if (taskId.isEmpty()) {
        return ignored(
            report,
            "it names no task, and the prover has no running "
                + (phase == null ? "" : phase + " ")
                + "task of job '"
                + SafeText.shorten(report.jobId())
                + "'",
            effects);
      }
    } else {
      taskId = Uuids.parse(report.taskId());
      if (taskId.isEmpty()) {
        return ignored(
            report, "task id '" + SafeText.shorten(report.taskId()) + "' is not a UUID", effects);
      }
    }
    Optional<ReportedTask> found =
        tx.tasks().lockReported(taskId.get(), proverId, report.epoch(), instanceId);
    if (found.isEmpty()) {
      return ignored(report, "no such task " + taskId.get(), effects);
    }
    ReportedTask task = found.get();
    String problem = null;
    if (!task.proverId().equals(proverId)) {
      problem = "task " + task.taskId() + " belongs to another prover";
    } else if (!task.jobId().toString().equals(report.jobId())) {
      problem =
          "task "
              + task.taskId()
              + " belongs to job "
              + task.jobId()
              + ", not '"
              + SafeText.shorten(report.jobId())
              + "'";
    } else if (report.reportedPhase() != null && report.reportedPhase() != task.phase()) {
      problem =
          "task "
              + task.taskId()
              + " is a "
              + task.phase()
              + " task, not "
              + report.reportedPhase();
    } else if (task.state() != TaskState.DISPATCHED) {
      problem = "task " + task.taskId() + " is already " + task.state() + " (stale or duplicate)";
    } else if (task.jobState() != JobState.RUNNING || task.jobAttempt() != task.attempt()) {
      problem = "the attempt of task " + task.taskId() + " is no longer running (stale)";
    } else if (!task.currentSession()) {
      problem = "it comes from an old session of the prover";
    }
    return problem == null ? found : ignored(report, problem, effects);
  }

  private static Optional<ReportedTask> ignored(TaskReport report, String reason, Effects effects) {
    effects.ignore(
        report.proverId(), (report.success() ? "result" : "error") + " ignored: " + reason);
    return Optional.empty();
  }
}
