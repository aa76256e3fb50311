package zisk.distributed.worker.prover.nativeprover;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.common.concurrent.Backoff;
import zisk.distributed.common.rules.SafeText;
import zisk.distributed.worker.config.NativeProverConfig;
import zisk.distributed.worker.prover.ProgressListener;

/**
 * Keeps one prover process running: starts it, waits for its {@code ready} (up to the start-up
 * limit), and when it becomes unusable kills it with its descendants and starts a new one after a
 * back-off. Only a process that said {@code ready} and is not gone is offered to the backend;
 * readiness listeners hear of every change, so the worker can stop taking tasks meanwhile.
 */
final class ProverSupervisor implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ProverSupervisor.class);

  private final NativeProverConfig config;
  private final String proverId;
  private final Backoff backoff;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private volatile ProgressListener progress = ProgressListener.NONE;
  private final Thread thread;
  private final Object lock = new Object();
  private ProverProcess latest;
  private ProverProcess ready;
  private boolean closing;

  ProverSupervisor(NativeProverConfig config, String proverId, Backoff backoff) {
    this.config = config;
    this.proverId = proverId;
    this.backoff = backoff;
    this.thread = new Thread(this::superviseLoop, "zisk-prover-supervisor");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** The ready process, or null while none is (starting, being replaced, stopped). */
  ProverProcess ready() {
    synchronized (lock) {
      return ready != null && !ready.gone().isDone() ? ready : null;
    }
  }

  /** Where every process's progress goes, the processes started later included. */
  void onProgress(ProgressListener listener) {
    progress = listener;
  }

  void onReadyChange(Runnable listener) {
    listeners.add(listener);
  }

  /** The prover served a request: the next restart starts from the shortest back-off again. */
  void served() {
    synchronized (lock) {
      backoff.reset();
    }
  }

  /** Gives up on {@code process}: it is killed and replaced. */
  void replace(ProverProcess process, String reason) {
    process.fail(reason);
  }

  /**
   * Stops the prover: {@code shutdown} to a ready one, which gets the cancel grace to exit; then
   * (or at once for one that is not ready) it is killed with its descendants.
   */
  @Override
  public void close() {
    ProverProcess last;
    ProverProcess wasReady;
    synchronized (lock) {
      if (closing) {
        return;
      }
      closing = true;
      last = latest;
      wasReady = ready;
      ready = null;
    }
    notifyListeners();
    thread.interrupt();
    if (last == null) {
      return;
    }
    if (wasReady == last && !last.gone().isDone()) {
      last.send("shutdown", "", (writer, id) -> writer.shutdown(id));
      try {
        if (last.awaitExit(config.cancelGrace())) {
          log.info("prover {}: the prover process {} shut down", proverId, last.pid());
        } else {
          log.warn(
              "prover {}: the prover process {} did not exit within {} s of shutdown; killing it",
              proverId,
              last.pid(),
              config.cancelGrace().toSeconds());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    last.kill(config.killGrace());
    try {
      thread.join(config.killGrace().plusSeconds(5).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void superviseLoop() {
    try {
      while (!isClosing()) {
        ProverProcess process = startOne();
        if (process != null) {
          awaitReady(process);
          String reason = awaitGone(process);
          synchronized (lock) {
            if (ready == process) {
              ready = null;
            }
          }
          notifyListeners();
          if (isClosing()) {
            return;
          }
          log.warn(
              "prover {}: replacing the prover process {}: {}",
              proverId,
              process.pid(),
              SafeText.clean(reason, SafeText.MAX_ERROR_MESSAGE));
          process.kill(config.killGrace());
        }
        Duration delay;
        synchronized (lock) {
          delay = backoff.nextDelay();
        }
        log.info("prover {}: starting the prover again in {} ms", proverId, delay.toMillis());
        Thread.sleep(delay.toMillis());
      }
    } catch (InterruptedException e) {
      // close() stops the loop; it kills the last process itself.
    }
  }

  /** Starts a process; null when it could not be started (logged). */
  private ProverProcess startOne() {
    try {
      synchronized (lock) {
        if (closing) {
          return null;
        }
        ProverProcess process = ProverProcess.start(config, proverId, gone -> {});
        process.onProgress((jobId, fraction, text) -> progress.progress(jobId, fraction, text));
        latest = process;
        log.info(
            "prover {}: started the prover process {}: {}",
            proverId,
            process.pid(),
            SafeText.clean(String.join(" ", config.command()), SafeText.MAX_REASON));
        process.gone().thenRun(this::notifyListeners);
        return process;
      }
    } catch (IOException | RuntimeException e) {
      log.error(
          "prover {}: cannot start the prover {}: {}",
          proverId,
          SafeText.clean(String.join(" ", config.command()), SafeText.MAX_REASON),
          e.getMessage());
      return null;
    }
  }

  private void awaitReady(ProverProcess process) throws InterruptedException {
    try {
      ProverReply.Ready hello =
          process.ready().get(config.startupTimeout().toMillis(), TimeUnit.MILLISECONDS);
      synchronized (lock) {
        if (closing || process.gone().isDone()) {
          return;
        }
        ready = process;
      }
      log.info(
          "prover {}: the prover process {} is ready: {} {}, protocol {}, soft_cancel {}",
          proverId,
          process.pid(),
          SafeText.shorten(hello.name()),
          SafeText.shorten(hello.version()),
          hello.protocol(),
          hello.softCancel());
      notifyListeners();
    } catch (TimeoutException e) {
      process.fail(
          "it did not say ready within the start-up limit of "
              + config.startupTimeout().toSeconds()
              + " s");
    } catch (ExecutionException e) {
      // Gone before ready: the reason is in gone().
    }
  }

  private String awaitGone(ProverProcess process) throws InterruptedException {
    try {
      return process.gone().get();
    } catch (ExecutionException e) {
      return String.valueOf(e.getCause());
    }
  }

  private boolean isClosing() {
    synchronized (lock) {
      return closing;
    }
  }

  private void notifyListeners() {
    for (Runnable listener : listeners) {
      try {
        listener.run();
      } catch (RuntimeException e) {
        log.warn("prover {}: a readiness listener failed", proverId, e);
      }
    }
  }
}
