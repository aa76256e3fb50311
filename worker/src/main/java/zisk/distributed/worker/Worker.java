package zisk.distributed.worker;

import io.grpc.ManagedChannel;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.api.v1.ComputeCapacity;
import zisk.distributed.api.v1.ExecuteTaskRequest;
import zisk.distributed.api.v1.JobCancelled;
import zisk.distributed.api.v1.ProverMessage;
import zisk.distributed.api.v1.ProverReconnectRequest;
import zisk.distributed.api.v1.ProverRegisterRequest;
import zisk.distributed.api.v1.Shutdown;
import zisk.distributed.common.concurrent.Backoff;
import zisk.distributed.common.metrics.MetricsEndpoint;
import zisk.distributed.common.metrics.Registries;
import zisk.distributed.common.rules.SafeText;
import zisk.distributed.worker.config.WorkerConfig;
import zisk.distributed.worker.connection.Channels;
import zisk.distributed.worker.connection.ConnectionLoop;
import zisk.distributed.worker.connection.CoordinatorEndpoint;
import zisk.distributed.worker.connection.CoordinatorHandler;
import zisk.distributed.worker.connection.EndpointRotation;
import zisk.distributed.worker.connection.ProverSession;
import zisk.distributed.worker.connection.ResultDelivery;
import zisk.distributed.worker.connection.SessionEnd;
import zisk.distributed.worker.connection.SessionSecret;
import zisk.distributed.worker.inputs.InputCache;
import zisk.distributed.worker.metrics.WorkerMetrics;
import zisk.distributed.worker.prover.ProverBackend;
import zisk.distributed.worker.task.CancelOutcome;
import zisk.distributed.worker.task.InputSource;
import zisk.distributed.worker.task.ProgressReporter;
import zisk.distributed.worker.task.TaskRunner;

/**
 * A prover worker: stays connected to a coordinator, answers its heartbeats, and runs its tasks
 * through a {@link ProverBackend}, one at a time.
 *
 * <p>Lifecycle: {@link #start()} starts the connection loop on its own thread; {@link
 * #awaitTermination()} returns once the worker has stopped, which happens when the coordinator
 * sends {@code shutdown} or someone calls {@link #stop()}. The backend belongs to the caller, who
 * closes it after termination.
 */
public final class Worker {

  private static final Logger log = LoggerFactory.getLogger(Worker.class);

  /** How long {@link #stop()} lets a running task finish before abandoning it. */
  public static final Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(10);

  private static final Duration ABANDON_PATIENCE = Duration.ofSeconds(5);
  private static final Duration STOP_SLACK = Duration.ofSeconds(5);

  private final WorkerConfig config;
  private final TaskRunner runner;
  private final InputCache inputCache;
  private final InputSource inputSource;
  private final ResultDelivery delivery;
  private final SessionSecret secret = new SessionSecret();
  private final ConnectionLoop loop;
  private final Thread loopThread;
  private final CountDownLatch terminated = new CountDownLatch(1);
  private final AtomicBoolean started = new AtomicBoolean();
  private final PrometheusMeterRegistry registry = Registries.prometheus();
  private final WorkerMetrics metrics = new WorkerMetrics(registry);
  private MetricsEndpoint metricsEndpoint;

  /**
   * A worker that dials its coordinators with the configured TLS settings.
   *
   * @throws zisk.distributed.common.config.ConfigException when a TLS file cannot be used
   */
  public Worker(WorkerConfig config, ProverBackend backend) {
    this(config, backend, new Random(), Channels.opener(config.tls(), config.token()));
  }

  /**
   * @param jitter source of the back-off jitter
   * @param channels opens a channel to a coordinator (tests may pass in-process channels)
   */
  public Worker(
      WorkerConfig config,
      ProverBackend backend,
      Random jitter,
      Function<CoordinatorEndpoint, ManagedChannel> channels) {
    this.config = config;
    this.delivery = new ResultDelivery(config.proverId(), config.heartbeatTimeout());
    this.inputCache =
        new InputCache(
            config.inputCache().dir(), config.inputCache().maxBytes(), metrics::inputDownloaded);
    this.inputSource = InputSource.withCache(config.inputs(), inputCache);
    this.runner =
        new TaskRunner(backend, config.proverId(), inputSource, delivery::deliver, metrics);
    this.loop =
        new ConnectionLoop(
            config.proverId(),
            secret,
            new EndpointRotation(config.coordinators()),
            new Backoff(config.reconnectInterval(), config.maxReconnectInterval(), jitter),
            config.heartbeatTimeout(),
            this::hello,
            new Handler(),
            this::drain,
            channels,
            backend::isReady,
            runner::awaitIdle);
    backend.onReadyChange(loop::readinessChanged);
    metrics.readiness(backend::isReady);
    AtomicBoolean wasReady = new AtomicBoolean(backend.isReady());
    backend.onReadyChange(
        () -> {
          boolean ready = backend.isReady();
          if (wasReady.getAndSet(ready) && !ready) {
            metrics.nativeProverRestarted(); // lost its prover: killed, crashed or replaced
          }
        });
    backend.onProgress(new ProgressReporter(runner::runningTask, delivery::sendNow));
    this.loopThread = new Thread(this::runLoop, "zisk-worker-connection");
  }

  /** The cache of uploaded inputs; its counters are this worker's input-download figures. */
  public InputCache inputCache() {
    return inputCache;
  }

  /** Starts connecting and working. Call once. */
  public void start() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("worker already started");
    }
    log.info(
        "prover {}: starting with {} compute units, coordinators {}, {}",
        config.proverId(),
        config.computeUnits(),
        config.coordinators(),
        config.token().isPresent() ? "with a token" : "without a token");
    logInputs();
    if (config.metrics().enabled()) {
      try {
        metricsEndpoint =
            MetricsEndpoint.start(config.metrics().host(), config.metrics().port(), registry);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException("cannot serve metrics on " + config.metrics(), e);
      }
    }
    loopThread.start();
  }

  /** This worker's meters (tests scrape them; input downloads are counted through them). */
  public WorkerMetrics metrics() {
    return metrics;
  }

  /** The registry behind {@link #metrics()}, for an endpoint a test starts itself. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Says where inputs come from; a directory that does not exist yet is worth a warning. */
  private void logInputs() {
    log.info(
        "prover {}: reading inputs only from {}, at most {} bytes each",
        config.proverId(),
        config.inputs().dirs(),
        config.inputs().maxBytes());
    for (Path dir : config.inputs().dirs()) {
      if (!Files.isDirectory(dir)) {
        log.warn(
            "prover {}: inputs directory {} does not exist; tasks naming inputs there will fail",
            config.proverId(),
            dir);
      }
    }
  }

  /** Blocks until the worker has stopped. */
  public void awaitTermination() throws InterruptedException {
    terminated.await();
  }

  /** Blocks until the worker has stopped or the timeout passed; true when stopped. */
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    return terminated.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  public boolean isTerminated() {
    return terminated.getCount() == 0;
  }

  /** {@link #stop(Duration)} with {@link #DEFAULT_STOP_GRACE}. */
  public void stop() {
    stop(DEFAULT_STOP_GRACE);
  }

  /**
   * Stops gracefully and waits for it: no new tasks, the running task gets {@code grace} to finish
   * (its result is sent if still connected), then the stream is closed.
   */
  public void stop(Duration grace) {
    if (!started.get()) {
      runner.close();
      terminated.countDown();
      return;
    }
    runner.stopAccepting();
    loop.requestStop(grace, "stop requested");
    try {
      if (!awaitTermination(grace.plus(ABANDON_PATIENCE).plus(STOP_SLACK))) {
        log.warn("prover {}: worker did not stop in time; interrupting it", config.proverId());
        loopThread.interrupt();
        awaitTermination(STOP_SLACK);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public WorkerConfig config() {
    return config;
  }

  private void runLoop() {
    try {
      loop.run();
    } catch (InterruptedException e) {
      log.warn("prover {}: connection loop interrupted", config.proverId());
    } catch (RuntimeException e) {
      log.error("prover {}: connection loop failed", config.proverId(), e);
    } finally {
      runner.close();
      if (metricsEndpoint != null) {
        metricsEndpoint.close();
      }
      log.info("prover {}: worker stopped", config.proverId());
      terminated.countDown();
    }
  }

  /**
   * The first message of a session: reconnect while a job is in hand (with the session's secret,
   * which keeps the job's work), else register.
   */
  private ProverMessage hello() {
    ComputeCapacity capacity =
        ComputeCapacity.newBuilder().setComputeUnits(config.computeUnits()).build();
    Optional<String> job = runner.currentJobId().or(delivery::pendingJobId);
    if (job.isPresent()) {
      log.info("prover {} job {}: reconnecting", config.proverId(), job.get());
      metrics.reconnected();
      return ProverMessage.newBuilder()
          .setReconnect(
              ProverReconnectRequest.newBuilder()
                  .setProverId(config.proverId())
                  .setComputeCapacity(capacity)
                  .setLastKnownJobId(job.get())
                  .setSessionSecret(secret.current()))
          .build();
    }
    return ProverMessage.newBuilder()
        .setRegister(
            ProverRegisterRequest.newBuilder()
                .setProverId(config.proverId())
                .setComputeCapacity(capacity))
        .build();
  }

  private void drain(Duration grace) throws InterruptedException {
    runner.stopAccepting();
    if (!runner.awaitIdle(grace)) {
      log.warn(
          "prover {}: running task did not finish within {} ms; abandoning it",
          config.proverId(),
          grace.toMillis());
      runner.abandon();
      runner.awaitIdle(ABANDON_PATIENCE);
    }
  }

  /** Routes the coordinator's messages to the task runner and the result delivery. */
  private final class Handler implements CoordinatorHandler {

    @Override
    public void onAccepted(ProverSession session) {
      delivery.sessionAccepted(session);
    }

    @Override
    public void onTask(ExecuteTaskRequest task, ProverSession session) {
      log.info(
          "prover {} job {} task {}: received {}",
          config.proverId(),
          task.getJobId(),
          task.getTaskId(),
          task.getTaskType());
      if (!task.getProverId().isEmpty() && !task.getProverId().equals(config.proverId())) {
        log.warn(
            "prover {} job {} task {}: task is addressed to prover '{}'; running it anyway",
            config.proverId(),
            task.getJobId(),
            task.getTaskId(),
            SafeText.shorten(task.getProverId()));
      }
      inputSource.coordinator(session.channel());
      runner
          .submit(task)
          .ifPresent(
              answer ->
                  session.send(ProverMessage.newBuilder().setExecuteTaskResponse(answer).build()));
    }

    @Override
    public void onJobCancelled(JobCancelled cancelled) {
      log.info(
          "prover {} job {}: cancelled by the coordinator: {}",
          config.proverId(),
          SafeText.shorten(cancelled.getJobId()),
          SafeText.clean(cancelled.getReason(), SafeText.MAX_REASON));
      if (runner.cancel(cancelled.getJobId(), cancelled.getTaskId(), cancelled.getReason())
          != CancelOutcome.STALE) {
        delivery.forgetJob(cancelled.getJobId());
      }
    }

    @Override
    public void onShutdown(Shutdown shutdown) {
      log.info(
          "prover {}: coordinator shuts down ({}), grace {} s",
          config.proverId(),
          SafeText.clean(shutdown.getReason(), SafeText.MAX_REASON),
          shutdown.getGracePeriodSeconds());
      runner.stopAccepting();
      loop.requestStop(
          Duration.ofSeconds(shutdown.getGracePeriodSeconds()),
          "coordinator shutdown: " + SafeText.clean(shutdown.getReason(), SafeText.MAX_REASON));
    }

    @Override
    public void onEnded(ProverSession session, SessionEnd end) {
      delivery.sessionEnded(session, end == SessionEnd.BROKEN);
    }
  }
}
