package zisk.distributed.coordinator.api;

import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.common.concurrent.DaemonThreads;

/**
 * Bounds what prover streams may cost before they have registered: how many may be open at once,
 * how long each may wait before its first message, how many registrations start per second, and how
 * many registration transactions run at once.
 *
 * <p>The last bound keeps the connection pool for everyone else. Each registration is a transaction
 * on a gRPC thread; a burst of thousands would otherwise take every pooled connection and leave
 * admin calls, results and heartbeats waiting until they time out. Registrations get a quarter of
 * the pool (at least one connection) and wait for a turn at most as long as any request waits for a
 * connection; the rest of the pool is never theirs.
 */
public final class RegistrationGate implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RegistrationGate.class);

  private final Duration registerTimeout;
  private final Duration transactionWait;
  private final Semaphore unregistered;
  private final Semaphore transactions;
  private final Rate rate;
  private final ScheduledExecutorService timer;

  /**
   * @param poolSize the database connections of this coordinator
   * @param transactionWait how long a registration waits for its turn before it is refused
   */
  public RegistrationGate(
      Duration registerTimeout,
      int maxUnregisteredStreams,
      int maxRegistrationsPerSecond,
      int poolSize,
      Duration transactionWait) {
    this.registerTimeout = registerTimeout;
    this.transactionWait = transactionWait;
    this.unregistered = new Semaphore(maxUnregisteredStreams);
    this.transactions = new Semaphore(Math.max(1, poolSize / 4));
    this.rate = new Rate(maxRegistrationsPerSecond);
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(1, DaemonThreads.named("register-timeouts"));
    executor.setRemoveOnCancelPolicy(true);
    this.timer = executor;
  }

  /**
   * A new stream. When too many unregistered streams are open already, {@code end} is called at
   * once (RESOURCE_EXHAUSTED); otherwise it is called if no first message arrives within the
   * register timeout.
   */
  public Pending open(Consumer<Status> end) {
    Pending pending = new Pending();
    if (!unregistered.tryAcquire()) {
      pending.state.set(Pending.OVER);
      log.debug("Refused a prover stream: too many streams have not registered yet");
      end.accept(
          Status.RESOURCE_EXHAUSTED.withDescription(
              "too many prover streams have not registered yet; retry in a moment"));
      return pending;
    }
    pending.timeout =
        timer.schedule(
            () -> {
              if (pending.state.compareAndSet(Pending.WAITING, Pending.OVER)) {
                unregistered.release();
                end.accept(
                    Status.DEADLINE_EXCEEDED.withDescription(
                        "no register or reconnect message within "
                            + registerTimeout.toSeconds()
                            + " s"));
              }
            },
            registerTimeout.toMillis(),
            TimeUnit.MILLISECONDS);
    return pending;
  }

  /**
   * Runs one registration transaction within the rate and the share of the pool, or throws the
   * RESOURCE_EXHAUSTED status to end the stream with.
   */
  public <T> T register(Supplier<T> transaction) {
    if (!rate.tryAcquire()) {
      throw Status.RESOURCE_EXHAUSTED
          .withDescription("too many registrations on this coordinator; retry in a moment")
          .asRuntimeException();
    }
    boolean turn;
    try {
      turn = transactions.tryAcquire(transactionWait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      turn = false;
    }
    if (!turn) {
      throw Status.RESOURCE_EXHAUSTED
          .withDescription("the coordinator is busy with other registrations; retry in a moment")
          .asRuntimeException();
    }
    try {
      return transaction.get();
    } finally {
      transactions.release();
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }

  /** One stream until it has registered (or ended). */
  public final class Pending {
    static final int WAITING = 0;
    static final int REGISTERING = 1;
    static final int OVER = 2;

    private final AtomicInteger state = new AtomicInteger(WAITING);
    private volatile ScheduledFuture<?> timeout;

    /** The first message arrived: false when the stream has timed out or ended already. */
    public boolean begin() {
      if (!state.compareAndSet(WAITING, REGISTERING)) {
        return false;
      }
      ScheduledFuture<?> scheduled = timeout;
      if (scheduled != null) {
        scheduled.cancel(false);
      }
      return true;
    }

    /** Registered, refused, or the stream ended: the stream no longer counts as unregistered. */
    public void finish() {
      int previous = state.getAndSet(OVER);
      if (previous == OVER) {
        return;
      }
      ScheduledFuture<?> scheduled = timeout;
      if (scheduled != null) {
        scheduled.cancel(false);
      }
      unregistered.release();
    }
  }

  /** A token bucket: up to {@code perSecond} at once, refilled at {@code perSecond}. */
  private static final class Rate {
    private final double perSecond;
    private double tokens;
    private long refilledAt = System.nanoTime();

    Rate(int perSecond) {
      this.perSecond = perSecond;
      this.tokens = perSecond;
    }

    synchronized boolean tryAcquire() {
      long now = System.nanoTime();
      tokens = Math.min(perSecond, tokens + (now - refilledAt) / 1e9 * perSecond);
      refilledAt = now;
      if (tokens < 1) {
        return false;
      }
      tokens -= 1;
      return true;
    }
  }
}
