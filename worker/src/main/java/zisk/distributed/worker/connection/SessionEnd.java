package zisk.distributed.worker.connection;

/** How a {@link ProverSession} ended. */
public enum SessionEnd {
  /**
   * The stream failed before the coordinator accepted the registration (unreachable, silent,
   * reset).
   */
  CONNECT_FAILED,
  /** The coordinator answered {@code register_response} with {@code accepted = false}. */
  REFUSED,
  /** An accepted session broke: error or end from the coordinator, or heartbeat silence. */
  BROKEN,
  /** This worker closed the session (shutdown or stop). */
  CLOSED
}
