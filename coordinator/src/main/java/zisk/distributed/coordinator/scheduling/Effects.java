package zisk.distributed.coordinator.scheduling;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * What must happen after a transition commits: tasks to push to provers, cancellations to tell
 * them about, and whether freed capacity may admit queued jobs. Collected inside the transaction,
 * applied only after the commit, so no prover hears of a change that was rolled back.
 */
public final class Effects {

  /** A JobCancelled to send to a prover; {@code taskId} is its task being stopped, or null. */
  public record Cancellation(String proverId, UUID jobId, UUID taskId, String reason) {}

  private final Set<String> dispatchTo = new LinkedHashSet<>();
  private final List<Cancellation> cancellations = new ArrayList<>();
  private final Set<String> disconnect = new LinkedHashSet<>();
  private boolean admit;

  public static Effects none() {
    return new Effects();
  }

  public Effects dispatch(String proverId) {
    dispatchTo.add(proverId);
    return this;
  }

  public Effects cancel(String proverId, UUID jobId, UUID taskId, String reason) {
    cancellations.add(new Cancellation(proverId, jobId, taskId, reason));
    return this;
  }

  /** Closes the stream of a prover the coordinator gave up on (for example: heartbeat timeout). */
  public Effects disconnect(String proverId) {
    disconnect.add(proverId);
    return this;
  }

  public Effects admit() {
    admit = true;
    return this;
  }

  public Effects merge(Effects other) {
    dispatchTo.addAll(other.dispatchTo);
    cancellations.addAll(other.cancellations);
    disconnect.addAll(other.disconnect);
    admit |= other.admit;
    return this;
  }

  public Set<String> dispatchTo() {
    return dispatchTo;
  }

  public List<Cancellation> cancellations() {
    return cancellations;
  }

  public Set<String> disconnects() {
    return disconnect;
  }

  public boolean admitRequested() {
    return admit;
  }
}
