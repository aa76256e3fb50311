package zisk.distributed.coordinator.store;

/** Where a task is in its life; the same names as the tasks.state column. */
public enum TaskState {
  /** Written for a prover whose stream another coordinator holds (or none does yet); not sent. */
  ASSIGNED,
  /** Sent, or about to be sent after the commit, on the prover's stream. */
  DISPATCHED,
  SUCCEEDED,
  FAILED,
  CANCELLED,
  /** Its prover went away with the work. */
  LOST,
  /** It ran past its phase's time limit; its prover was told to drop it. */
  TIMED_OUT
}
