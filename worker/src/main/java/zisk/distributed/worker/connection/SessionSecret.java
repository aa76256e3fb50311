package zisk.distributed.worker.connection;

import zisk.distributed.api.v1.ProverRegisterResponse;

/**
 * The secret of this worker's session with the cluster: the coordinator hands it out when a session
 * starts, and a reconnect presents it to keep the session's work (without it, the coordinator
 * treats the reconnect as a new registration and the work is lost). It is the worker's proof of
 * identity across broken streams, so it is never logged.
 */
public final class SessionSecret {

  private volatile String value = "";

  /**
   * Keeps the secret an accepted registration issued. A response without one (the coordinator
   * resumed the session, whose secret stays the same, or predates secrets) changes nothing.
   */
  void remember(ProverRegisterResponse response) {
    if (response.getAccepted() && !response.getSessionSecret().isEmpty()) {
      value = response.getSessionSecret();
    }
  }

  /** The secret to present in a reconnect; empty before the first accepted registration. */
  public String current() {
    return value;
  }

  @Override
  public String toString() {
    return value.isEmpty() ? "SessionSecret[none]" : "SessionSecret[redacted]";
  }
}
