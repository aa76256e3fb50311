package zisk.distributed.coordinator.store;

/** The three phases of a running job, in order; the same names as tasks.task_type and jobs.phase. */
public enum Phase {
  PARTIAL_CONTRIBUTION, PROVE, AGGREGATE
}
