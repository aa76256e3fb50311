package zisk.distributed.coordinator.lifecycle;

import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.coordinator.store.DeadlineDao.OverdueTask;
import zisk.distributed.coordinator.store.JobDao.RunningJob;
import zisk.distributed.coordinator.store.Rows;
import zisk.distributed.coordinator.store.Tx;

/**
 * A task past its phase's time limit: TIMED_OUT (counted in the job's timeouts, apart from task
 * errors, lost provers and invalid proofs), its prover told to drop it (JobCancelled naming the
 * task), and its rank handed to the same path as a lost prover's ({@link JobLifecycle#loseProver}).
 * Any coordinator may run it, any number of times: the job row is locked first and the task must
 * still be DISPATCHED in the same attempt, so only the first one counts.
 */
public final class TaskTimeout {

  private static final Logger log = LoggerFactory.getLogger(TaskTimeout.class);

  private final JobLifecycle lifecycle;

  public TaskTimeout(JobLifecycle lifecycle) {
    this.lifecycle = lifecycle;
  }

  /** Times the task out, inside the caller's transaction; answers whether it did. */
  public boolean timeOut(Tx tx, OverdueTask task, Effects effects) {
    Optional<RunningJob> job = tx.jobs().lockRunning(task.jobId());
    if (job.isEmpty() || job.get().attempt() != task.attempt()) {
      return false; // the job or its attempt ended meanwhile
    }
    String reason =
        "%s task %s of prover %s ran past its time limit of %d s"
            .formatted(task.phase(), task.taskId(), task.proverId(), task.limitSeconds());
    if (!Rows.one(tx.deadlines().timeOut(task.taskId(), reason), "timing out " + task.taskId())) {
      return false; // answered meanwhile, or another coordinator timed it out first
    }
    log.warn("Job {}: {}; cancelling it on the prover", task.jobId(), reason);
    effects.cancel(task.proverId(), task.jobId(), task.taskId(), reason);
    effects.taskEnded(task.phase(), "timed_out");
    lifecycle.loseProver(
        tx, task.proverId(), task.jobId(), reason, AttemptFailure.TIMED_OUT, effects);
    return true;
  }
}
