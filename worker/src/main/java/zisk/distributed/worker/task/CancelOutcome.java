package zisk.distributed.worker.task;

/** What {@link TaskRunner#cancel} did. */
public enum CancelOutcome {
  /** A task of the job was running and is being interrupted. */
  INTERRUPTED,
  /** No task of the job was running; its kept state is released. */
  RELEASED,
  /** Another task of the job runs: the cancel was for an earlier attempt and changed nothing. */
  STALE
}
