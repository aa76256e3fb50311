package zisk.distributed.coordinator.session;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.api.v1.CoordinatorMessage;

/**
 * One registered prover stream on this coordinator. Writes are serialized (a StreamObserver is
 * not thread-safe) and never throw: a failed write means the stream is gone, which its close
 * handler turns into a lost prover.
 */
public final class ProverSession {

  private static final Logger log = LoggerFactory.getLogger(ProverSession.class);

  private final String proverId;
  private final long epoch;
  private final ServerCallStreamObserver<CoordinatorMessage> out;
  private final Clock clock;
  private volatile Instant lastHeard;
  private boolean closed;

  public ProverSession(String proverId, long epoch, ServerCallStreamObserver<CoordinatorMessage> out, Clock clock) {
    this.proverId = proverId;
    this.epoch = epoch;
    this.out = out;
    this.clock = clock;
    this.lastHeard = clock.instant();
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

  void heard() {
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
}
