package zisk.distributed.worker.connection;

import io.grpc.stub.ClientCallStreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.api.v1.ProverMessage;

/**
 * The only way to write to a prover stream. A {@code StreamObserver} is not thread-safe, and this
 * stream is written from the gRPC callback thread (heartbeat acks, busy answers), the task thread
 * (results) and the connection loop (close), so every write goes through one lock. After the stream
 * is closed or failed, writes are refused rather than thrown, and the caller keeps what it could
 * not send.
 */
final class StreamSender {

  private static final Logger log = LoggerFactory.getLogger(StreamSender.class);

  private final ClientCallStreamObserver<ProverMessage> stream;
  private final String proverId;
  private boolean closed;

  StreamSender(ClientCallStreamObserver<ProverMessage> stream, String proverId) {
    this.stream = stream;
    this.proverId = proverId;
  }

  /** Writes one message; false when the stream is closed or the write failed. */
  synchronized boolean send(ProverMessage message) {
    if (closed) {
      return false;
    }
    try {
      stream.onNext(message);
      return true;
    } catch (RuntimeException e) {
      // The call was cancelled or half-closed under us; the session end handler follows.
      log.debug(
          "prover {}: write of {} failed: {}", proverId, message.getMessageCase(), e.toString());
      closed = true;
      return false;
    }
  }

  /** Half-closes the stream: this side has nothing more to say. */
  synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      stream.onCompleted();
    } catch (RuntimeException e) {
      log.debug("prover {}: half-close failed: {}", proverId, e.toString());
    }
  }

  /** Cancels the call (the coordinator sees the stream reset). Safe at any time. */
  synchronized void cancel(String reason) {
    closed = true;
    stream.cancel(reason, null);
  }

  /** The coordinator ended the call: refuse further writes. */
  synchronized void markClosed() {
    closed = true;
  }
}
