package zisk.distributed.worker.connection;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.api.v1.ExecuteTaskResponse;
import zisk.distributed.api.v1.ProverMessage;

/**
 * Gets task results to the coordinator across broken streams.
 *
 * <p>A result goes out at once on the accepted session when there is one; otherwise it waits and
 * goes out, in order, right after the next session is accepted. Writing to a gRPC stream gives no
 * receipt, and a result written moments before the stream broke may never have arrived, so a result
 * written less than {@code resendWindow} before its session broke is sent again on the next
 * session. The coordinator accepts a result only while the task is still this prover's and
 * unfinished, so a duplicate changes nothing there.
 */
public final class ResultDelivery {

  private static final Logger log = LoggerFactory.getLogger(ResultDelivery.class);

  private record Written(ExecuteTaskResponse result, Outbound session, long atNanos) {}

  private final String proverId;
  private final long resendWindowNanos;
  private final LongSupplier nanoTime;
  private final Deque<ExecuteTaskResponse> pending = new ArrayDeque<>();
  private final List<Written> recent = new ArrayList<>();
  private Outbound active;

  public ResultDelivery(String proverId, Duration resendWindow) {
    this(proverId, resendWindow, System::nanoTime);
  }

  ResultDelivery(String proverId, Duration resendWindow, LongSupplier nanoTime) {
    this.proverId = proverId;
    this.resendWindowNanos = resendWindow.toNanos();
    this.nanoTime = nanoTime;
  }

  /** Sends a finished task's result now, or keeps it for the next accepted session. */
  public synchronized void deliver(ExecuteTaskResponse result) {
    if (active != null && pending.isEmpty() && write(active, result)) {
      return;
    }
    pending.addLast(result);
    log.info(
        "prover {} job {} task {}: not connected; result kept until the next session is accepted",
        proverId,
        result.getJobId(),
        result.getTaskId());
  }

  /** Sends a message (progress) on the accepted session now, if there is one; never kept. */
  public synchronized boolean sendNow(ProverMessage message) {
    return active != null && active.send(message);
  }

  /** A session was accepted: it becomes the way out, and every kept result is sent on it. */
  public synchronized void sessionAccepted(Outbound session) {
    active = session;
    while (!pending.isEmpty()) {
      ExecuteTaskResponse next = pending.peekFirst();
      if (!write(session, next)) {
        return;
      }
      pending.removeFirst();
      log.info(
          "prover {} job {} task {}: sent the result kept while disconnected",
          proverId,
          next.getJobId(),
          next.getTaskId());
    }
  }

  /**
   * A session is over. If it broke, results written on it shortly before are kept to be sent again,
   * ahead of anything that finished later.
   */
  public synchronized void sessionEnded(Outbound session, boolean broken) {
    if (active == session) {
      active = null;
    }
    long now = nanoTime.getAsLong();
    List<ExecuteTaskResponse> again = new ArrayList<>();
    for (Iterator<Written> it = recent.iterator(); it.hasNext(); ) {
      Written written = it.next();
      if (written.session() == session) {
        if (broken && now - written.atNanos() < resendWindowNanos) {
          again.add(written.result());
        }
        it.remove();
      }
    }
    for (int i = again.size() - 1; i >= 0; i--) {
      ExecuteTaskResponse result = again.get(i);
      pending.addFirst(result);
      log.info(
          "prover {} job {} task {}: stream broke soon after the result was sent; it will be sent again",
          proverId,
          result.getJobId(),
          result.getTaskId());
    }
  }

  /** Drops kept results of a cancelled job. */
  public synchronized void forgetJob(String jobId) {
    pending.removeIf(result -> result.getJobId().equals(jobId));
    recent.removeIf(written -> written.result().getJobId().equals(jobId));
  }

  /**
   * The job of the newest result still waiting to be sent, if any: the job this prover worked on
   * last. Older kept results may belong to jobs that are long finished (results written just before
   * a stream broke are kept to be sent again), and naming one of those in a reconnect would make
   * the coordinator take the prover for one that lost its current job's state.
   */
  public synchronized Optional<String> pendingJobId() {
    return pending.isEmpty() ? Optional.empty() : Optional.of(pending.peekLast().getJobId());
  }

  public synchronized int pendingCount() {
    return pending.size();
  }

  private boolean write(Outbound session, ExecuteTaskResponse result) {
    if (!session.send(ProverMessage.newBuilder().setExecuteTaskResponse(result).build())) {
      return false;
    }
    long now = nanoTime.getAsLong();
    recent.removeIf(written -> now - written.atNanos() >= resendWindowNanos);
    recent.add(new Written(result, session, now));
    log.info(
        "prover {} job {} task {}: sent {} result (success={})",
        proverId,
        result.getJobId(),
        result.getTaskId(),
        result.getTaskType(),
        result.getSuccess());
    return true;
  }
}
