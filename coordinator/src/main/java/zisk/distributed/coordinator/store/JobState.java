package zisk.distributed.coordinator.store;

/** Where a job is in its life; the same names as the jobs.state column. */
public enum JobState {
  QUEUED,
  RUNNING,
  COMPLETED,
  FAILED,
  CANCELLED;

  public boolean isActive() {
    return this == QUEUED || this == RUNNING;
  }
}
