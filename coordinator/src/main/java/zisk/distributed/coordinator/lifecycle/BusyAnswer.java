package zisk.distributed.coordinator.lifecycle;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.coordinator.store.Rows;
import zisk.distributed.coordinator.store.TaskDao.ReportedTask;
import zisk.distributed.coordinator.store.Tx;

/**
 * A prover refused a task because it is still running another one (a task the coordinator gave up
 * on and whose JobCancelled it has not acted on yet). That is no failure of the task: it goes back
 * to ASSIGNED and is sent to the prover again after a pause that doubles with each refusal, and
 * neither the job's attempts nor the prover's quarantine streak count it. The task keeps its first
 * dispatch time, so a prover that stays busy forever is still bounded by the task's deadline.
 */
final class BusyAnswer {

  /** Pause before the first re-send, doubled per refusal of the same task up to {@link #MAX}. */
  static final Duration FIRST = Duration.ofSeconds(1);

  static final Duration MAX = Duration.ofSeconds(16);

  private static final Logger log = LoggerFactory.getLogger(BusyAnswer.class);

  private BusyAnswer() {}

  static void defer(Tx tx, ReportedTask task) {
    Rows.exactlyOne(
        tx.dispatch().deferBusy(task.taskId(), seconds(FIRST), seconds(MAX)),
        "deferring busy task " + task.taskId());
    log.info(
        "Prover {} is busy with another task; task {} of job {} ({}) goes out again later",
        task.proverId(),
        task.taskId(),
        task.jobId(),
        task.phase());
  }

  private static double seconds(Duration duration) {
    return duration.toMillis() / 1000.0;
  }
}
