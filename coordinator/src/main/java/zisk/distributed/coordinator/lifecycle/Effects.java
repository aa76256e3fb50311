package zisk.distributed.coordinator.lifecycle;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import zisk.distributed.coordinator.store.TaskDao.OutgoingTask;

/**
 * What must happen after a transition commits: tasks to send on streams this coordinator holds,
 * provers whose coordinator must be told about their new tasks, cancellations, streams to close,
 * and whether freed capacity may admit queued jobs. Collected inside the transaction, applied only
 * after the commit, so no prover hears of a change that was rolled back.
 */
public final class Effects {

  /** A JobCancelled to send to a prover; {@code taskId} is its task being stopped, or null. */
  public record Cancellation(String proverId, UUID jobId, UUID taskId, String reason) {}

  /** A message from a prover that changed nothing, and why: logged once, after the commit. */
  public record Ignored(String proverId, String reason) {}

  private final List<OutgoingTask> send = new ArrayList<>();
  private final Set<String> dispatchTo = new LinkedHashSet<>();
  private final List<Cancellation> cancellations = new ArrayList<>();
  private final Set<String> disconnect = new LinkedHashSet<>();
  private final List<Ignored> ignored = new ArrayList<>();
  private boolean admit;

  public static Effects none() {
    return new Effects();
  }

  /** A task written DISPATCHED for a stream this coordinator holds: send it after the commit. */
  public Effects send(OutgoingTask task) {
    send.add(task);
    return this;
  }

  /**
   * The prover has ASSIGNED tasks: whichever coordinator holds its stream claims and sends them.
   */
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

  /** A prover's message that did not count; {@code reason} holds only shortened echoes. */
  public Effects ignore(String proverId, String reason) {
    ignored.add(new Ignored(proverId, reason));
    return this;
  }

  public Effects admit() {
    admit = true;
    return this;
  }

  public Effects merge(Effects other) {
    send.addAll(other.send);
    dispatchTo.addAll(other.dispatchTo);
    cancellations.addAll(other.cancellations);
    disconnect.addAll(other.disconnect);
    ignored.addAll(other.ignored);
    admit |= other.admit;
    return this;
  }

  public List<OutgoingTask> toSend() {
    return send;
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

  public List<Ignored> ignored() {
    return ignored;
  }

  public boolean admitRequested() {
    return admit;
  }
}
