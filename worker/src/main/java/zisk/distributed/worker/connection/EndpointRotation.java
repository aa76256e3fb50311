package zisk.distributed.worker.connection;

import java.util.List;

/**
 * The coordinator URLs in failover order and where the worker stands among them.
 *
 * <p>The worker stays on the current coordinator while it works; a failed attempt (unreachable,
 * refused, or no answer to registration) moves on to the next one, wrapping around. Once every
 * coordinator has failed in a row the round is complete, and the caller backs off before the next
 * round. An accepted session starts a fresh round at the coordinator that accepted it.
 */
public final class EndpointRotation {

  private final List<CoordinatorEndpoint> endpoints;
  private int current;
  private int failuresInRound;

  public EndpointRotation(List<CoordinatorEndpoint> endpoints) {
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("no coordinator endpoints");
    }
    this.endpoints = List.copyOf(endpoints);
  }

  /** The coordinator to try next. */
  public CoordinatorEndpoint current() {
    return endpoints.get(current);
  }

  /**
   * Records a failed attempt on the current coordinator and moves to the next one.
   *
   * @return true when every coordinator has now failed in a row (a full round), so back off
   */
  public boolean failed() {
    current = (current + 1) % endpoints.size();
    failuresInRound++;
    if (failuresInRound >= endpoints.size()) {
      failuresInRound = 0;
      return true;
    }
    return false;
  }

  /** Records that the current coordinator accepted the worker: the next round starts here. */
  public void connected() {
    failuresInRound = 0;
  }

  public int size() {
    return endpoints.size();
  }
}
