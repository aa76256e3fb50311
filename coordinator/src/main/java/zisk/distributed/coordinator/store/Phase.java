package zisk.distributed.coordinator.store;

/**
 * The three phases of a running job, in order; the same names as tasks.task_type and jobs.phase.
 */
public enum Phase {
  PARTIAL_CONTRIBUTION,
  PROVE,
  AGGREGATE;

  /** The phase after this one; AGGREGATE is the last. */
  public Phase next() {
    return switch (this) {
      case PARTIAL_CONTRIBUTION -> PROVE;
      case PROVE, AGGREGATE -> AGGREGATE;
    };
  }
}
