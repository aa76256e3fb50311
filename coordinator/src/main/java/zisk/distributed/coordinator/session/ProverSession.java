package zisk.distributed.coordinator.session;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.api.v1.CoordinatorMessage;
import zisk.distributed.api.v1.JobCancelled;
import zisk.distributed.api.v1.TaskType;

/**
 * One registered prover stream on this coordinator. Writes are serialized (a StreamObserver is not
 * thread-safe) and never throw: a failed write means the stream is gone, which its close handler
 * turns into a lost prover.
 */
public final class ProverSession {

  private static final Logger log = LoggerFactory.getLogger(ProverSession.class);

  /** Answered task ids kept: a redelivery's read is at most a few tasks old. */
  private static final int ANSWERED_KEPT = 8;

  private final String proverId;
  private final long epoch;
  private final ServerCallStreamObserver<CoordinatorMessage> out;
  private final Clock clock;
  private final IgnoredMessages ignored;
  private volatile Instant lastHeard;
  private boolean closed;

  /** The last task sent on this stream that the prover has not answered yet; null when none. */
  private SentTask unanswered;

  /** When progress of the unanswered task was last let through (System.nanoTime); 0: never. */
  private long progressAt;

  /** Tasks sent on this stream so far: a redelivery read before the latest of them is stale. */
  private long tasksSent;

  /** The latest tasks the prover answered on this stream (a few: see {@link #redeliver}). */
  private final Deque<String> answeredTaskIds = new ArrayDeque<>();

  public ProverSession(
      String proverId, long epoch, ServerCallStreamObserver<CoordinatorMessage> out, Clock clock) {
    this.proverId = proverId;
    this.epoch = epoch;
    this.out = out;
    this.clock = clock;
    this.lastHeard = clock.instant();
    this.ignored = new IgnoredMessages(proverId, clock);
  }

  /** Where this stream's messages that changed nothing are told, once each, rate-limited. */
  public IgnoredMessages ignored() {
    return ignored;
  }

  public String proverId() {
    return proverId;
  }

  public long epoch() {
    return epoch;
  }

  /** When the prover last sent anything on this stream. */
  public Instant lastHeard() {
    return lastHeard;
  }

  /** The prover sent something on this stream. */
  public void heard() {
    lastHeard = clock.instant();
  }

  /** Sends one message; answers false when the stream is closed or the write failed. */
  public synchronized boolean send(CoordinatorMessage message) {
    if (closed || out.isCancelled()) {
      return false;
    }
    try {
      out.onNext(message);
      return true;
    } catch (RuntimeException e) {
      log.debug("Send to prover {} failed: {}", proverId, e.getMessage());
      closed = true;
      return false;
    }
  }

  /**
   * Sends a task. A prover has one live task at a time, so an earlier task sent on this stream and
   * never answered has been given up on (failed, cancelled or lost), and the worker may still be
   * running it: its JobCancelled may have gone out through another coordinator's NOTIFY, which a
   * listener that was reconnecting misses. The worker is told again to drop that task, here and in
   * order, so that it does not refuse the new task as busy. A repeat of the same task (after a
   * reconnect) cancels nothing.
   */
  public synchronized boolean sendTask(SentTask task) {
    if (unanswered != null && !unanswered.taskId().equals(task.taskId())) {
      log.info(
          "Prover {} never answered task {} of job {}; telling it to drop that task before task {}",
          proverId,
          unanswered.taskId(),
          unanswered.jobId(),
          task.taskId());
      sendCancel(
          unanswered.jobId(),
          unanswered.taskId(),
          "task " + unanswered.taskId() + " was given up; task " + task.taskId() + " replaces it");
    }
    boolean sent = send(CoordinatorMessage.newBuilder().setExecuteTask(task.request()).build());
    if (sent) {
      if (unanswered == null || !unanswered.taskId().equals(task.taskId())) {
        progressAt = 0;
      }
      unanswered = task;
      tasksSent++;
    }
    return sent;
  }

  /** How many tasks were sent on this stream: the mark a {@link #redeliver} is read after. */
  public synchronized long tasksSent() {
    return tasksSent;
  }

  /**
   * Sends again a task read as DISPATCHED to this prover after the stream opened, unless the read
   * is stale: a task was sent on this stream since {@code tasksSentBefore} (the prover's newer
   * task, from a later state), or the prover has answered this one meanwhile. Sending a stale task
   * would make the next task's send tell the prover to drop it, or, worse, drop the task that
   * replaced it.
   *
   * @return whether it was sent
   */
  public synchronized boolean redeliver(SentTask task, long tasksSentBefore) {
    if (tasksSent != tasksSentBefore || answeredTaskIds.contains(task.taskId())) {
      log.debug("Prover {}: task {} not sent again, its read is stale", proverId, task.taskId());
      return false;
    }
    return sendTask(task);
  }

  /**
   * Sends JobCancelled for a job ({@code taskId} empty: whatever task of it runs) and forgets an
   * unanswered task it covers.
   */
  public synchronized boolean sendCancel(String jobId, String taskId, String reason) {
    if (unanswered != null
        && unanswered.jobId().equals(jobId)
        && (taskId.isEmpty() || unanswered.taskId().equals(taskId))) {
      unanswered = null;
    }
    return send(
        CoordinatorMessage.newBuilder()
            .setJobCancelled(
                JobCancelled.newBuilder().setJobId(jobId).setTaskId(taskId).setReason(reason))
            .build());
  }

  /**
   * The prover answered a task (a result or an error about it); answers the id of the task it
   * answered. A seed-era worker names no task: its answer is about the task of that job, and of
   * that phase when it says one ({@code TASK_TYPE_UNSPECIFIED}: any), sent on this stream and not
   * answered yet; its id is answered, so that the report is checked and written like any other.
   * Empty when it names none and no such task is out.
   */
  public synchronized String answered(String jobId, String taskId, TaskType phase) {
    String answeredId = taskId;
    if (unanswered != null && isAbout(unanswered, jobId, taskId, phase)) {
      answeredId = unanswered.taskId();
      unanswered = null;
    }
    if (!answeredId.isEmpty() && !answeredTaskIds.contains(answeredId)) {
      if (answeredTaskIds.size() == ANSWERED_KEPT) {
        answeredTaskIds.removeFirst();
      }
      answeredTaskIds.addLast(answeredId);
    }
    return answeredId;
  }

  private static boolean isAbout(SentTask task, String jobId, String taskId, TaskType phase) {
    if (!taskId.isEmpty()) {
      return task.taskId().equals(taskId);
    }
    return task.jobId().equals(jobId)
        && (phase == TaskType.TASK_TYPE_UNSPECIFIED || task.request().getTaskType() == phase);
  }

  /** The task sent on this stream and not answered yet, if it is this one of this job. */
  public synchronized Optional<SentTask> runningTask(String jobId, String taskId) {
    return unanswered != null
            && unanswered.taskId().equals(taskId)
            && unanswered.jobId().equals(jobId)
        ? Optional.of(unanswered)
        : Optional.empty();
  }

  /**
   * Whether the running task's progress may be relayed now: its last relayed report is at least
   * {@code minGapNanos} old. Answering true counts as relaying one.
   */
  public synchronized boolean progressDue(long minGapNanos) {
    long now = System.nanoTime();
    if (progressAt != 0 && now - progressAt < minGapNanos) {
      return false;
    }
    progressAt = now;
    return true;
  }

  /** Ends the stream with a status (the prover sees it as an error and may reconnect). */
  public synchronized void close(Status status) {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (status.isOk()) {
        out.onCompleted();
      } else {
        out.onError(status.asRuntimeException());
      }
    } catch (RuntimeException e) {
      log.debug("Closing the stream of prover {}: {}", proverId, e.getMessage());
    }
  }

  synchronized boolean isOpen() {
    return !closed && !out.isCancelled();
  }

  /** Whether the stream is open and the prover was heard from within {@code window}. */
  public boolean heardWithin(Duration window) {
    return isOpen() && lastHeard.isAfter(clock.instant().minus(window));
  }
}
