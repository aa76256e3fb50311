package zisk.distributed.coordinator.scheduling;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.coordinator.config.TaskTimeouts;
import zisk.distributed.coordinator.lifecycle.Effects;
import zisk.distributed.coordinator.lifecycle.TaskTimeout;
import zisk.distributed.coordinator.store.DeadlineDao.OverdueTask;
import zisk.distributed.coordinator.store.Store;

/**
 * Finds tasks that ran past their time limit and times them out, each in its own transaction. The
 * database is the truth: every coordinator runs this sweep, and a task another one timed out first
 * is skipped under the job's lock. A prover that keeps heartbeating but never answers (a hung GPU
 * call, a worker that ignores the task) thus costs its job at most the limit plus one sweep.
 */
public final class DeadlineSweep {

  private static final Logger log = LoggerFactory.getLogger(DeadlineSweep.class);

  /** Most tasks timed out per sweep; more wait for the next one. */
  static final int BATCH = 100;

  private final Store store;
  private final TaskTimeout timeout;
  private final TaskTimeouts limits;

  public DeadlineSweep(Store store, TaskTimeout timeout, TaskTimeouts limits) {
    this.store = store;
    this.timeout = timeout;
    this.limits = limits;
  }

  public Effects sweep() {
    Effects effects = Effects.none();
    List<OverdueTask> overdue =
        store.read(
            tx ->
                tx.deadlines()
                    .overdue(
                        limits.partialContribution(), limits.prove(), limits.aggregate(), BATCH));
    for (OverdueTask task : overdue) {
      try {
        effects.merge(
            store.inTransaction(
                tx -> {
                  Effects timedOut = Effects.none();
                  timeout.timeOut(tx, task, timedOut);
                  return timedOut;
                }));
      } catch (RuntimeException e) {
        log.warn(
            "Could not time out task {} of job {}: {}",
            task.taskId(),
            task.jobId(),
            e.getMessage());
      }
    }
    return effects;
  }
}
