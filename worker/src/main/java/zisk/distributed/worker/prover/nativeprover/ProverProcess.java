package zisk.distributed.worker.prover.nativeprover;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.common.concurrent.DaemonThreads;
import zisk.distributed.common.rules.SafeText;
import zisk.distributed.worker.config.NativeProverConfig;
import zisk.distributed.worker.prover.ProgressListener;

/**
 * One running prover program: its requests on stdin (written on a thread of their own, so a prover
 * that stops reading can never block the task thread past its time limit), its messages from stdout
 * (read on another, each final one handed to the {@link Exchange} with its id), and its stderr
 * copied into the worker's log, marked {@code [prover]}.
 *
 * <p>The process becomes unusable ("gone") once: stdout closes, the process exits, a line on stdout
 * is not protocol, a final message names an unknown id, an error is fatal, or the worker gives up
 * on it. Then every open exchange fails and the supervisor replaces it.
 */
final class ProverProcess {

  private static final Logger log = LoggerFactory.getLogger(ProverProcess.class);

  /** The protocol this worker speaks. */
  static final int PROTOCOL = 1;

  private static final Duration PROGRESS_LOG_PERIOD = Duration.ofSeconds(1);
  private static final int STDERR_LINE_BYTES = 2048;
  private static final int MAX_LOGGED_TEXT = SafeText.MAX_REASON;
  private static final Duration STDOUT_AFTER_EXIT = Duration.ofSeconds(1);

  private final Process process;
  private final Optional<Long> group;
  private final String proverId;
  private final RequestWriter writer;
  private final ExecutorService stdinThread;
  private final Map<String, Exchange> open = new ConcurrentHashMap<>();
  private final CompletableFuture<ProverReply.Ready> ready = new CompletableFuture<>();
  private final CompletableFuture<String> gone = new CompletableFuture<>();
  private final AtomicLong ids = new AtomicLong();
  private final Consumer<ProverProcess> onGone;
  private volatile ProgressListener progressListener = ProgressListener.NONE;

  private ProverProcess(Process process, String proverId, Consumer<ProverProcess> onGone) {
    this.process = process;
    this.group = ProcessTree.ownGroup(process);
    this.proverId = proverId;
    this.onGone = onGone;
    this.writer = new RequestWriter(new BufferedOutputStream(process.getOutputStream(), 1 << 16));
    this.stdinThread =
        Executors.newSingleThreadExecutor(DaemonThreads.named("zisk-prover-stdin-" + pid()));
  }

  /**
   * Starts the program with the worker's environment plus {@code ZISK_PROVER_ID}, {@code
   * CUDA_VISIBLE_DEVICES} (when GPUs are configured) and the configured variables.
   *
   * @param onGone told once when the process becomes unusable
   */
  static ProverProcess start(
      NativeProverConfig config, String proverId, Consumer<ProverProcess> onGone)
      throws IOException {
    ProcessBuilder builder = new ProcessBuilder(ProcessTree.inOwnGroup(config.command()));
    Map<String, String> env = builder.environment();
    env.putAll(config.env());
    env.put(NativeProverConfig.PROVER_ID_VARIABLE, proverId);
    config.gpus().ifPresent(gpus -> env.put(NativeProverConfig.GPUS_VARIABLE, gpus));
    config.workingDir().ifPresent(dir -> builder.directory(dir.toFile()));
    ProverProcess started = new ProverProcess(builder.start(), proverId, onGone);
    started.startReaders();
    return started;
  }

  /** Where the {@code progress} messages of open requests go (besides the log). */
  void onProgress(ProgressListener listener) {
    progressListener = listener;
  }

  long pid() {
    return process.pid();
  }

  /** Completes with the handshake; fails when the process is gone first. */
  CompletableFuture<ProverReply.Ready> ready() {
    return ready;
  }

  /** Completes with the reason once the process is unusable. */
  CompletableFuture<String> gone() {
    return gone;
  }

  boolean softCancel() {
    return ready.isDone() && !ready.isCompletedExceptionally() && ready.join().softCancel();
  }

  /** Sends a request; its final message completes the answer. */
  Exchange send(String type, String jobId, Request request) {
    Exchange exchange = new Exchange("r" + ids.incrementAndGet(), type, jobId);
    open.put(exchange.id(), exchange);
    if (gone.isDone()) {
      open.remove(exchange.id());
      exchange.gone(gone.join());
      return exchange;
    }
    try {
      stdinThread.execute(
          () -> {
            try {
              request.write(writer, exchange.id());
            } catch (IOException e) {
              fail("writing its stdin failed (" + e.getMessage() + ")");
            }
          });
    } catch (RejectedExecutionException e) {
      exchange.gone(gone.getNow("the prover process is stopping"));
    }
    return exchange;
  }

  /**
   * Marks the process unusable: every open exchange fails with {@code reason}. Idempotent; the
   * first reason wins.
   */
  void fail(String reason) {
    if (!gone.complete(reason)) {
      return;
    }
    ready.completeExceptionally(new ProverGoneException(reason));
    for (Exchange exchange : List.copyOf(open.values())) {
      open.remove(exchange.id());
      exchange.gone(reason);
    }
    onGone.accept(this);
  }

  /** Kills the process and its descendants (see {@link ProcessTree#kill}); stops its threads. */
  void kill(Duration killGrace) {
    fail("the worker stops it");
    ProcessTree.kill(process, group, killGrace);
    stdinThread.shutdownNow();
  }

  /** Waits up to {@code timeout} for the process to exit by itself; true when it did. */
  boolean awaitExit(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void startReaders() {
    Thread stdout = new Thread(this::readStdout, "zisk-prover-stdout-" + pid());
    Thread stderr = new Thread(this::copyStderr, "zisk-prover-stderr-" + pid());
    stdout.setDaemon(true);
    stderr.setDaemon(true);
    stdout.start();
    stderr.start();
    // Messages written just before the exit are still in the pipe: let the reader have them
    // first. A descendant holding stdout open must not hide the exit, though.
    process
        .onExit()
        .thenRun(
            () ->
                gone.copy()
                    .completeOnTimeout(null, STDOUT_AFTER_EXIT.toMillis(), TimeUnit.MILLISECONDS)
                    .thenRun(() -> fail("the prover exited with status " + process.exitValue())));
  }

  private void readStdout() {
    ReplyParser parser = new ReplyParser(new LineInput(process.getInputStream(), 256));
    try {
      ProverReply reply;
      while ((reply = parser.next()) != null) {
        handle(reply);
      }
      fail(exitReason("closed its stdout"));
    } catch (ProtocolViolation e) {
      log.error(
          "prover {}: the prover wrote something that is not protocol on stdout: {}",
          proverId,
          e.getMessage());
      fail("it wrote something that is not protocol on stdout: " + e.getMessage());
    } catch (IOException e) {
      fail(exitReason("reading its stdout failed (" + e.getMessage() + ")"));
    }
  }

  private void handle(ProverReply reply) throws ProtocolViolation {
    if (reply instanceof ProverReply.Ready hello) {
      if (ready.isDone()) {
        throw new ProtocolViolation("a second ready", "type ready");
      }
      if (hello.protocol() != PROTOCOL) {
        fail("it speaks protocol " + hello.protocol() + "; this worker knows protocol " + PROTOCOL);
        return;
      }
      ready.complete(hello);
      return;
    }
    if (!ready.isDone()) {
      throw new ProtocolViolation(
          "the first message must be ready", reply.getClass().getSimpleName());
    }
    if (reply instanceof ProverReply.Progress progress) {
      Exchange exchange = open.get(progress.id());
      if (exchange != null) {
        progressListener.progress(exchange.jobId(), progress.fraction(), progress.message());
      }
      if (exchange != null && exchange.progressDue(PROGRESS_LOG_PERIOD)) {
        log.info(
            "prover {} job {}: [prover] {} {}% {}",
            proverId,
            SafeText.shorten(exchange.jobId()),
            exchange.type(),
            Double.isNaN(progress.fraction()) ? "?" : Math.round(progress.fraction() * 100),
            SafeText.clean(progress.message(), MAX_LOGGED_TEXT));
      }
      return;
    }
    Exchange exchange = open.remove(reply.requestId());
    if (exchange == null) {
      fail("a final message names an unknown id '" + SafeText.shorten(reply.requestId()) + "'");
      return;
    }
    exchange.answer(reply);
    if (reply instanceof ProverReply.Failure failure && failure.fatal()) {
      fail(
          "it reported a fatal error: "
              + SafeText.clean(failure.code() + " " + failure.message(), MAX_LOGGED_TEXT));
    }
  }

  private void copyStderr() {
    LineInput lines = new LineInput(process.getErrorStream(), STDERR_LINE_BYTES);
    try {
      while (lines.nextLine()) {
        lines.skip(Long.MAX_VALUE);
        log.info(
            "prover {}: [prover] {}", proverId, SafeText.clean(lines.head(), STDERR_LINE_BYTES));
      }
    } catch (IOException e) {
      // The process is gone; its stderr with it.
    }
  }

  /** Why stdout ended, with the exit status when the process exits within a moment. */
  private String exitReason(String otherwise) {
    try {
      if (process.waitFor(200, TimeUnit.MILLISECONDS)) {
        return "the prover exited with status " + process.exitValue();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return "the prover " + otherwise;
  }

  /** Writes one request with its id. */
  @FunctionalInterface
  interface Request {
    void write(RequestWriter writer, String id) throws IOException;
  }
}
