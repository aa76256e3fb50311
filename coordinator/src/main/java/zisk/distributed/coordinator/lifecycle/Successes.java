package zisk.distributed.coordinator.lifecycle;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.common.rules.Uuids;
import zisk.distributed.coordinator.store.Phase;
import zisk.distributed.coordinator.store.Rows;
import zisk.distributed.coordinator.store.SuccessDao.RecordedSuccess;
import zisk.distributed.coordinator.store.SuccessDao.ReportedSuccess;
import zisk.distributed.coordinator.store.TaskDao.WrittenTask;
import zisk.distributed.coordinator.store.TaskInputs;

/**
 * The success branch of {@link JobLifecycle}: which reports may be recorded in one statement, and
 * what a recorded success means after the commit. The statement itself is {@code
 * zisk_record_success} (migration V14).
 */
final class Successes {

  // The lifecycle's own logger: a job's COMPLETED line reads the same whichever path recorded it.
  private static final Logger log = LoggerFactory.getLogger(JobLifecycle.class);

  private Successes() {}

  /** A report that may be recorded at once, as the statement takes it; empty for any other. */
  static Optional<ReportedSuccess> plain(TaskReport report) {
    if (!report.success()
        || report.busy()
        || report.resultPhase() == null
        || (report.reportedPhase() != null && report.reportedPhase() != report.resultPhase())
        || (report.resultPhase() == Phase.AGGREGATE && !report.verdict().accepted())) {
      return Optional.empty();
    }
    Optional<UUID> taskId = Uuids.parse(report.taskId());
    Optional<UUID> jobId = Uuids.parse(report.jobId());
    if (taskId.isEmpty() || jobId.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new ReportedSuccess(
            taskId.get(),
            report.proverId(),
            jobId.get(),
            report.resultPhase(),
            report.epoch(),
            report.result(),
            report.verdict().detail()));
  }

  /**
   * What follows a recorded success ({@code zisk_record_success}): the first prover to finish PROVE
   * stays reserved to aggregate and the others are released; the phase's last task enters the next
   * phase, whose tasks go out after the commit; the AGGREGATE task completes the job (its final
   * proof verified, or verification off).
   */
  static Effects apply(RecordedSuccess recorded, Effects effects) {
    Phase phase = recorded.phase();
    UUID jobId = recorded.jobId();
    Rows.exactlyOne(recorded.updated(), "recording the result of a " + phase + " of " + jobId);
    effects.taskEnded(phase, "succeeded");
    if (phase == Phase.PROVE && recorded.succeededBefore() > 0) {
      Rows.exactlyOne(recorded.released(), "releasing " + recorded.proverId());
      effects.admit();
    }
    if (phase == Phase.AGGREGATE) {
      Rows.exactlyOne(recorded.completed(), "completing job " + jobId);
      log.info(
          "Job {} COMPLETED (attempt {}, aggregated by {})",
          jobId,
          recorded.attempt(),
          recorded.proverId());
      return effects.job(Effects.JobEvent.COMPLETED).admit();
    }
    if (recorded.unfinished() > 0) {
      return effects;
    }
    Phase next = phase.next();
    List<WrittenTask> tasks = recorded.tasks();
    int expected = next == Phase.AGGREGATE ? 1 : tasks.size();
    if (tasks.isEmpty() || tasks.size() != expected) {
      throw new IllegalStateException(
          "job " + jobId + " entering " + next + " found " + tasks.size() + " reserved prover(s)");
    }
    Rows.exactlyOne(recorded.moved(), "moving job " + jobId + " to " + next);
    log.debug("Job {} entered {} on {} prover(s)", jobId, next, tasks.size());
    effects.phaseEnded(phase, recorded.previousSeconds()).phaseEntered(next);
    return effects.written(tasks, new TaskInputs.PreviousResults(recorded.inputs()));
  }
}
