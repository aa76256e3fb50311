package zisk.distributed.worker.prover.nativeprover;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One request sent to the prover and its final message to come. Completed by the stdout reader with
 * the {@code result} or {@code error} carrying its id, or with a {@link ProverGoneException} when
 * the process can no longer answer.
 */
final class Exchange {

  private final String id;
  private final String type;
  private final String jobId;
  private final CompletableFuture<ProverReply> reply = new CompletableFuture<>();
  private long lastProgressLogNanos;

  Exchange(String id, String type, String jobId) {
    this.id = id;
    this.type = type;
    this.jobId = jobId;
  }

  String id() {
    return id;
  }

  String type() {
    return type;
  }

  String jobId() {
    return jobId;
  }

  void answer(ProverReply message) {
    reply.complete(message);
  }

  void gone(String reason) {
    reply.completeExceptionally(new ProverGoneException(reason));
  }

  /**
   * The final message, waiting up to {@code timeout}.
   *
   * @return null when none came in time
   * @throws ProverGoneException when the process can no longer answer
   */
  ProverReply await(Duration timeout) throws InterruptedException, ProverGoneException {
    try {
      return reply.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      return null;
    } catch (ExecutionException e) {
      throw (ProverGoneException) e.getCause();
    }
  }

  /** True when the request ended (answered or gone) by {@code deadlineNanos}; false if not. */
  boolean endsBy(long deadlineNanos) {
    try {
      reply.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
      return true;
    } catch (ExecutionException e) {
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return reply.isDone();
    }
  }

  /** True at most once a {@code period}: progress is logged, but not flooded. */
  synchronized boolean progressDue(Duration period) {
    long now = System.nanoTime();
    if (lastProgressLogNanos != 0 && now - lastProgressLogNanos < period.toNanos()) {
      return false;
    }
    lastProgressLogNanos = now;
    return true;
  }
}
