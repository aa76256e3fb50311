package zisk.distributed.coordinator.lifecycle;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import zisk.distributed.coordinator.store.Phase;
import zisk.distributed.coordinator.store.TaskDao.OutgoingTask;
import zisk.distributed.coordinator.store.TaskDao.WrittenTask;
import zisk.distributed.coordinator.store.TaskInputs;
import zisk.distributed.coordinator.store.TaskState;

/**
 * What must happen after a transition commits: tasks to send on streams this coordinator holds,
 * provers whose coordinator must be told about their new tasks, cancellations, streams to close,
 * and whether freed capacity may admit queued jobs. Collected inside the transaction, applied only
 * after the commit, so no prover hears of a change that was rolled back. What the transition did
 * (jobs ended, tasks ended, phases entered) is counted after the commit too, so metrics never count
 * a rolled-back change.
 */
public final class Effects {

  /** A JobCancelled to send to a prover; {@code taskId} is its task being stopped, or null. */
  public record Cancellation(String proverId, UUID jobId, UUID taskId, String reason) {}

  /** A message from a prover that changed nothing, and why: logged once, after the commit. */
  public record Ignored(String proverId, String reason) {}

  /** A job event counted after the commit. */
  public enum JobEvent {
    LAUNCHED,
    COMPLETED,
    CANCELLED
  }

  /** How a task ended: {@code outcome} is one of a few fixed words (see {@link #taskEnded}). */
  public record TaskEnd(Phase phase, String outcome) {}

  /** A failed attempt: its error code, and whether the job was re-queued or FAILED. */
  public record FailedAttempt(String cause, boolean retried) {}

  /** A phase every task of which succeeded, and how long it ran (first dispatch to its end). */
  public record PhaseEnd(Phase phase, double seconds) {}

  /** What the transition did, for metrics. */
  public record Events(
      List<JobEvent> jobs,
      List<TaskEnd> tasks,
      List<FailedAttempt> failedAttempts,
      List<Phase> phasesEntered,
      List<PhaseEnd> phasesEnded) {
    public boolean isEmpty() {
      return jobs.isEmpty()
          && tasks.isEmpty()
          && failedAttempts.isEmpty()
          && phasesEntered.isEmpty()
          && phasesEnded.isEmpty();
    }
  }

  private final Events events =
      new Events(
          new ArrayList<>(),
          new ArrayList<>(),
          new ArrayList<>(),
          new ArrayList<>(),
          new ArrayList<>());
  // When the transition began (its transaction), for the transition latency histogram.
  private long startedNanos = System.nanoTime();
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
   * Tasks a transition just wrote: those written DISPATCHED are sent after the commit, built from
   * {@code inputs} (null: read then); those left ASSIGNED, their prover's coordinator sends.
   */
  public Effects written(List<WrittenTask> tasks, TaskInputs inputs) {
    for (WrittenTask task : tasks) {
      if (task.state() == TaskState.DISPATCHED) {
        send(task.outgoing(inputs));
      } else {
        dispatch(task.proverId());
      }
    }
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

  public Effects job(JobEvent event) {
    events.jobs().add(event);
    return this;
  }

  /**
   * @param outcome succeeded, failed, timed_out or invalid_proof
   */
  public Effects taskEnded(Phase phase, String outcome) {
    events.tasks().add(new TaskEnd(phase, outcome));
    return this;
  }

  Effects attemptFailed(AttemptFailure cause, boolean retried) {
    events.failedAttempts().add(new FailedAttempt(cause.errorCode, retried));
    return this;
  }

  Effects phaseEnded(Phase phase, double seconds) {
    events.phasesEnded().add(new PhaseEnd(phase, seconds));
    return this;
  }

  Effects phaseEntered(Phase phase) {
    events.phasesEntered().add(phase);
    return this;
  }

  public Effects merge(Effects other) {
    events.jobs().addAll(other.events.jobs());
    events.tasks().addAll(other.events.tasks());
    events.failedAttempts().addAll(other.events.failedAttempts());
    events.phasesEntered().addAll(other.events.phasesEntered());
    events.phasesEnded().addAll(other.events.phasesEnded());
    startedNanos = Math.min(startedNanos, other.startedNanos);
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

  public Events events() {
    return events;
  }

  /** {@link System#nanoTime()} when the transition began. */
  public long startedNanos() {
    return startedNanos;
  }

  public boolean admitRequested() {
    return admit;
  }
}
