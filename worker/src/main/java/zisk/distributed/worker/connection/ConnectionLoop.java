package zisk.distributed.worker.connection;

import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.api.v1.ProverMessage;
import zisk.distributed.common.concurrent.Backoff;

/**
 * Keeps the worker connected: opens a session, watches it, and when it ends picks the next
 * coordinator and the delay before trying again, until a stop is requested.
 *
 * <ul>
 *   <li>An attempt that fails (unreachable, refused, or no answer to the registration within the
 *       heartbeat timeout) moves to the next URL at once; after a full round of failures it backs
 *       off.
 *   <li>An accepted session that breaks resets the back-off and retries the same coordinator after
 *       the first, short delay.
 *   <li>A session that stays silent for the heartbeat timeout is aborted and counts as broken.
 *   <li>A stop (the coordinator's {@code shutdown} or a local one) drains the running work within
 *       its grace period, closes the stream and returns.
 *   <li>A session opens only while the prover backend is ready (a native prover said {@code
 *       ready}). When it stops being ready (its process is being replaced), the loop lets the
 *       running task hand over its result, closes the stream and registers again once the backend
 *       is ready: no task reaches a backend that cannot run it.
 * </ul>
 */
public final class ConnectionLoop {

  private static final Logger log = LoggerFactory.getLogger(ConnectionLoop.class);
  private static final Duration CLOSE_PATIENCE = Duration.ofSeconds(2);
  private static final Duration MAX_WATCH_PERIOD = Duration.ofSeconds(1);
  private static final Duration MIN_WATCH_PERIOD = Duration.ofMillis(10);

  /** Winds down the work in progress before the loop ends. */
  @FunctionalInterface
  public interface Drain {
    void drain(Duration grace) throws InterruptedException;
  }

  private record StopRequest(Duration grace, String reason) {}

  private final String proverId;
  private final SessionSecret secret;
  private final EndpointRotation rotation;
  private final Backoff backoff;
  private final Duration heartbeatTimeout;
  private final Supplier<ProverMessage> hello;
  private final CoordinatorHandler handler;
  private final Drain drain;
  private final Function<CoordinatorEndpoint, ManagedChannel> channels;
  private final BooleanSupplier backendReady;
  private final Drain settle;
  private final CompletableFuture<StopRequest> stop = new CompletableFuture<>();
  private volatile CompletableFuture<Void> readinessChange = new CompletableFuture<>();

  /**
   * @param secret where each accepted session's secret is kept, for {@code hello} to present
   * @param hello builds the first message of each session (register, or reconnect naming the job)
   * @param channels opens a channel to a coordinator ({@link Channels#open} in production)
   * @param backendReady whether the prover backend can run tasks now
   * @param settle waits, up to its argument, for the running task to hand over its result
   */
  public ConnectionLoop(
      String proverId,
      SessionSecret secret,
      EndpointRotation rotation,
      Backoff backoff,
      Duration heartbeatTimeout,
      Supplier<ProverMessage> hello,
      CoordinatorHandler handler,
      Drain drain,
      Function<CoordinatorEndpoint, ManagedChannel> channels,
      BooleanSupplier backendReady,
      Drain settle) {
    this.proverId = proverId;
    this.secret = secret;
    this.rotation = rotation;
    this.backoff = backoff;
    this.heartbeatTimeout = heartbeatTimeout;
    this.hello = hello;
    this.handler = handler;
    this.drain = drain;
    this.channels = channels;
    this.backendReady = backendReady;
    this.settle = settle;
  }

  /** The backend's readiness may have changed: wakes the loop to look. Any thread. */
  public void readinessChanged() {
    CompletableFuture<Void> old = readinessChange;
    readinessChange = new CompletableFuture<>();
    old.complete(null);
  }

  /**
   * Asks the loop to wind down: stop taking tasks, give the running one {@code grace} to finish,
   * close the stream and return from {@link #run}. The first request wins.
   */
  public synchronized void requestStop(Duration grace, String reason) {
    if (stop.isDone()) {
      return;
    }
    log.info(
        "prover {}: stopping ({}); a running task gets up to {} ms",
        proverId,
        reason,
        grace.toMillis());
    stop.complete(new StopRequest(grace, reason));
  }

  public boolean isStopRequested() {
    return stop.isDone();
  }

  /** Runs until a stop is requested and the work is drained. */
  public void run() throws InterruptedException {
    while (true) {
      if (stop.isDone()) {
        drain.drain(stop.join().grace());
        return;
      }
      if (!awaitBackendReady()) {
        continue;
      }
      CoordinatorEndpoint endpoint = rotation.current();
      SessionEnd end;
      ManagedChannel channel = null;
      boolean graceful = false;
      try {
        channel = channels.apply(endpoint);
        log.info("prover {}: connecting to coordinator {}", proverId, endpoint);
        ProverSession session =
            ProverSession.open(channel, endpoint, proverId, hello.get(), handler, secret);
        end = watch(session);
        graceful = end == SessionEnd.CLOSED;
        if (end == null) {
          drain.drain(stop.join().grace());
          graceful = true;
          session.close();
          log.info("prover {}: closed the stream to {}", proverId, endpoint);
          return;
        }
      } catch (RuntimeException e) {
        log.error("prover {}: session with {} failed unexpectedly", proverId, endpoint, e);
        end = SessionEnd.CONNECT_FAILED;
      } finally {
        if (channel != null) {
          // After a graceful close, give the last writes time to leave; any other session is
          // over (or no longer trusted), so its channel goes at once.
          Channels.close(channel, graceful ? CLOSE_PATIENCE : Duration.ZERO);
        }
      }
      pause(delayAfter(end));
    }
  }

  /**
   * Waits until the session ends (its end) or a stop is requested (null), aborting the session when
   * the coordinator has been silent for longer than the heartbeat timeout.
   */
  private SessionEnd watch(ProverSession session) throws InterruptedException {
    Duration period = clamp(heartbeatTimeout.dividedBy(4), MIN_WATCH_PERIOD, MAX_WATCH_PERIOD);
    // Built again only when readiness changes: each one stays registered on stop until it ends.
    CompletableFuture<Void> change = readinessChange;
    CompletableFuture<Object> any = CompletableFuture.anyOf(session.ended(), stop, change);
    while (true) {
      await(any, period);
      if (stop.isDone()) {
        return null;
      }
      if (change != readinessChange) {
        change = readinessChange;
        any = CompletableFuture.anyOf(session.ended(), stop, change);
      }
      if (!backendReady.getAsBoolean() && !session.ended().isDone()) {
        log.warn(
            "prover {}: the prover backend is not ready (being replaced); ending the stream to {}"
                + " and registering again once it is",
            proverId,
            session.endpoint());
        settle.drain(heartbeatTimeout);
        session.close();
        return SessionEnd.CLOSED;
      }
      if (session.ended().isDone()) {
        return session.ended().join();
      }
      Duration silence = session.silentFor();
      if (silence.compareTo(heartbeatTimeout) > 0) {
        session.abort(
            "no message from the coordinator for "
                + silence.toMillis()
                + " ms (heartbeat timeout "
                + heartbeatTimeout.toMillis()
                + " ms)");
      } else if (!session.isAccepted() && session.age().compareTo(heartbeatTimeout) > 0) {
        // Heartbeats alone do not make a session: a coordinator that never answers the
        // registration is as good as down, so move on to the next one.
        session.abort(
            "no answer to the registration within " + heartbeatTimeout.toMillis() + " ms");
      }
    }
  }

  /**
   * Waits until the backend is ready or a stop is requested.
   *
   * @return true when ready; false when a stop came first
   */
  private boolean awaitBackendReady() throws InterruptedException {
    boolean logged = false;
    CompletableFuture<Void> change = null;
    CompletableFuture<Object> any = null;
    while (!stop.isDone()) {
      if (change != readinessChange) {
        change = readinessChange;
        any = CompletableFuture.anyOf(change, stop);
      }
      if (backendReady.getAsBoolean()) {
        return true;
      }
      if (!logged) {
        log.info(
            "prover {}: waiting for the prover backend to be ready before registering", proverId);
        logged = true;
      }
      await(any, MAX_WATCH_PERIOD);
    }
    return false;
  }

  private Duration delayAfter(SessionEnd end) {
    return switch (end) {
      case BROKEN -> {
        // It worked until now: try the same coordinator again soon, with a fresh back-off.
        rotation.connected();
        backoff.reset();
        yield backoff.nextDelay();
      }
      case CONNECT_FAILED, REFUSED -> rotation.failed() ? backoff.nextDelay() : Duration.ZERO;
      case CLOSED -> Duration.ZERO;
    };
  }

  private void pause(Duration delay) throws InterruptedException {
    if (delay.isZero()) {
      return;
    }
    log.info(
        "prover {}: next attempt ({}) in {} ms", proverId, rotation.current(), delay.toMillis());
    await(stop, delay);
  }

  private static void await(CompletableFuture<?> future, Duration timeout)
      throws InterruptedException {
    try {
      future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException | ExecutionException e) {
      // Timed out: the caller looks at the state and decides.
    }
  }

  private static Duration clamp(Duration value, Duration min, Duration max) {
    return value.compareTo(min) < 0 ? min : value.compareTo(max) > 0 ? max : value;
  }
}
