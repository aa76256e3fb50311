package zisk.distributed.worker.connection;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.api.v1.CoordinatorMessage;
import zisk.distributed.api.v1.HeartbeatAck;
import zisk.distributed.api.v1.ProverMessage;
import zisk.distributed.api.v1.ProverRegisterResponse;
import zisk.distributed.api.v1.ZiskDistributedApiGrpc;
import zisk.distributed.common.rules.SafeText;
import zisk.distributed.common.tls.HandshakeFailures;

/**
 * One {@code ProverStream} call to one coordinator: it sends the first message (register or
 * reconnect), handles the registration answer and heartbeats itself, and hands tasks, cancellations
 * and shutdown notices to a {@link CoordinatorHandler}.
 *
 * <p>Heartbeats are acknowledged right here, on the gRPC callback thread, so a long task can never
 * delay them. The session records when it last heard from the coordinator; the connection loop
 * aborts it when that silence exceeds the heartbeat timeout.
 */
public final class ProverSession
    implements ClientResponseObserver<ProverMessage, CoordinatorMessage>, Outbound {

  private static final Logger log = LoggerFactory.getLogger(ProverSession.class);

  private final CoordinatorEndpoint endpoint;
  private final String proverId;
  private final CoordinatorHandler handler;
  private volatile Channel channel;
  private final SessionSecret secret;
  private final CompletableFuture<SessionEnd> ended = new CompletableFuture<>();
  private volatile StreamSender sender;
  private final long openedNanos = System.nanoTime();
  private volatile long lastInboundNanos = openedNanos;
  private volatile boolean accepted;

  private ProverSession(
      CoordinatorEndpoint endpoint,
      String proverId,
      CoordinatorHandler handler,
      SessionSecret secret) {
    this.endpoint = endpoint;
    this.proverId = proverId;
    this.handler = handler;
    this.secret = secret;
  }

  /**
   * Opens the stream on {@code channel} and sends {@code hello} ({@code register} or {@code
   * reconnect}); an accepted registration's session secret goes to {@code secret}.
   */
  public static ProverSession open(
      Channel channel,
      CoordinatorEndpoint endpoint,
      String proverId,
      ProverMessage hello,
      CoordinatorHandler handler,
      SessionSecret secret) {
    ProverSession session = new ProverSession(endpoint, proverId, handler, secret);
    session.channel = channel;
    ZiskDistributedApiGrpc.newStub(channel).proverStream(session);
    session.send(hello);
    return session;
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<ProverMessage> requestStream) {
    this.sender = new StreamSender(requestStream, proverId);
  }

  @Override
  public void onNext(CoordinatorMessage message) {
    lastInboundNanos = System.nanoTime();
    try {
      switch (message.getMessageCase()) {
        case REGISTER_RESPONSE -> onRegisterResponse(message.getRegisterResponse());
        case HEARTBEAT ->
            send(
                ProverMessage.newBuilder()
                    .setHeartbeatAck(HeartbeatAck.newBuilder().setProverId(proverId))
                    .build());
        case EXECUTE_TASK -> handler.onTask(message.getExecuteTask(), this);
        case JOB_CANCELLED -> handler.onJobCancelled(message.getJobCancelled());
        case SHUTDOWN -> handler.onShutdown(message.getShutdown());
        case MESSAGE_NOT_SET -> log.debug("prover {}: empty message from {}", proverId, endpoint);
      }
    } catch (RuntimeException e) {
      // Throwing here would cancel the call; a handler bug must not cost the session.
      log.error(
          "prover {}: handling {} from {} failed", proverId, message.getMessageCase(), endpoint, e);
    }
  }

  private void onRegisterResponse(ProverRegisterResponse response) {
    if (!response.getAccepted()) {
      log.warn(
          "prover {}: coordinator {} refused the registration: {}",
          proverId,
          endpoint,
          SafeText.clean(response.getMessage(), SafeText.MAX_REASON));
      sender.close();
      finish(SessionEnd.REFUSED);
      return;
    }
    if (!response.getProverId().isEmpty() && !response.getProverId().equals(proverId)) {
      log.warn(
          "prover {}: coordinator {} registered us as '{}'; we keep sending our own id",
          proverId,
          endpoint,
          SafeText.shorten(response.getProverId()));
    }
    secret.remember(response);
    accepted = true;
    log.info(
        "prover {}: registered with coordinator {}: {}",
        proverId,
        endpoint,
        SafeText.clean(response.getMessage(), SafeText.MAX_REASON));
    handler.onAccepted(this);
  }

  @Override
  public void onError(Throwable error) {
    Status status = Status.fromThrowable(error);
    Optional<String> tlsProblem =
        accepted ? Optional.empty() : HandshakeFailures.explain(error, endpoint.tls());
    if (!ended.isDone() && tlsProblem.isPresent()) {
      // The transport's own text ("General OpenSslEngine problem") does not say what to fix.
      log.warn("prover {}: cannot connect to {}: {}", proverId, endpoint, tlsProblem.get());
    } else if (!ended.isDone()
        && (status.getCode() == Status.Code.UNAUTHENTICATED
            || status.getCode() == Status.Code.PERMISSION_DENIED)) {
      // Retrying will not help until an operator fixes the token; say so loudly, once a try.
      log.error(
          "prover {}: coordinator {} refused this worker ({}: {}); check its token"
              + " (--token, DISTRIBUTED_TOKEN or auth.token)",
          proverId,
          endpoint,
          status.getCode(),
          status.getDescription());
    } else if (!ended.isDone()) {
      Throwable cause = status.getCause();
      log.warn(
          "prover {}: stream to {} failed: {} {}{}",
          proverId,
          endpoint,
          status.getCode(),
          SafeText.clean(status.getDescription(), SafeText.MAX_REASON),
          cause == null || cause.getMessage() == null ? "" : " (" + cause.getMessage() + ")");
    }
    finish(accepted ? SessionEnd.BROKEN : SessionEnd.CONNECT_FAILED);
  }

  @Override
  public void onCompleted() {
    if (!ended.isDone()) {
      log.warn("prover {}: coordinator {} ended the stream", proverId, endpoint);
    }
    finish(accepted ? SessionEnd.BROKEN : SessionEnd.CONNECT_FAILED);
  }

  /** Writes one message on this stream; false once the session is over. */
  @Override
  public boolean send(ProverMessage message) {
    return sender.send(message);
  }

  /** Gives up on a stream that went silent (or any stream the worker no longer trusts). */
  public void abort(String reason) {
    log.warn("prover {}: dropping the stream to {}: {}", proverId, endpoint, reason);
    finish(accepted ? SessionEnd.BROKEN : SessionEnd.CONNECT_FAILED);
    sender.cancel(reason);
  }

  /** Ends the session from this side: half-closes the stream after everything already written. */
  public void close() {
    sender.close();
    finish(SessionEnd.CLOSED);
  }

  /**
   * Waits for the end of the session.
   *
   * @return how it ended, or null if it is still running after {@code timeout}
   */
  public SessionEnd awaitEnd(Duration timeout) throws InterruptedException {
    try {
      return ended.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      return null;
    } catch (ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Completes when the session ends. */
  public CompletableFuture<SessionEnd> ended() {
    return ended;
  }

  /** How long since the coordinator last sent anything (the registration counts). */
  public Duration silentFor() {
    return Duration.ofNanos(System.nanoTime() - lastInboundNanos);
  }

  /** How long since the stream was opened. */
  public Duration age() {
    return Duration.ofNanos(System.nanoTime() - openedNanos);
  }

  public boolean isAccepted() {
    return accepted;
  }

  /** The channel of the stream: its coordinator, dialed with this worker's credentials. */
  public Channel channel() {
    return channel;
  }

  public CoordinatorEndpoint endpoint() {
    return endpoint;
  }

  private void finish(SessionEnd end) {
    if (ended.complete(end)) {
      sender.markClosed();
      handler.onEnded(this, end);
    }
  }
}
