package zisk.distributed.worker.referenceprover;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.common.concurrent.DaemonThreads;

/**
 * The prover's side of the native prover contract: reads requests from standard input, one JSON
 * object a line, and answers each with exactly one final message.
 *
 * <p>Threads: this reader thread parses every request and answers the quick ones; one phase thread
 * runs contribute/prove/aggregate, one at a time (a second one while it runs is BUSY); {@code
 * cancel} interrupts the phase thread and is answered from a helper thread once the phase has
 * ended, so that the reader keeps reading ({@code shutdown} may follow at any moment).
 *
 * <p>Ordering: a phase's final message is written and its slot freed under one lock, so a request
 * the worker sends after reading that message never finds the slot still taken, and the answer to a
 * {@code cancel} always follows the cancelled request's {@code CANCELLED} error.
 */
public final class ContractServer {

  private static final Logger log = LoggerFactory.getLogger(ContractServer.class);

  /** How long {@code shutdown} waits for a running phase to stop before exiting anyway. */
  private static final long SHUTDOWN_WAIT_SECONDS = 10;

  private final RequestParser parser;
  private final MessageWriter out;
  private final ReferencePhases phases;
  private final ExecutorService phaseThread =
      Executors.newSingleThreadExecutor(DaemonThreads.named("reference-prover-phase"));
  private final ExecutorService cancelThreads =
      Executors.newCachedThreadPool(DaemonThreads.named("reference-prover-cancel"));
  private final Object lock = new Object();
  private Running running;

  /** A phase request in progress. */
  private static final class Running {
    final Request.Phase request;
    final CountDownLatch ended = new CountDownLatch(1);
    volatile boolean cancelled;
    Thread thread; // guarded by the server's lock; null until the phase thread picks it up

    Running(Request.Phase request) {
      this.request = request;
    }
  }

  ContractServer(RequestParser parser, MessageWriter out, ReferencePhases phases) {
    this.parser = parser;
    this.out = out;
    this.phases = phases;
  }

  /**
   * Answers requests until {@code shutdown} or the end of standard input.
   *
   * @return the exit status: 0
   */
  public int serve(BufferedReader in) throws IOException {
    try {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        if (!handle(line)) {
          break;
        }
      }
      return 0;
    } catch (UncheckedIOException e) {
      log.warn("standard output closed; stopping");
      return 0;
    } finally {
      phaseThread.shutdownNow();
      cancelThreads.shutdownNow();
      phases.close();
    }
  }

  /** Handles one line; false after {@code shutdown}. */
  private boolean handle(String line) {
    Request request;
    try {
      request = parser.parse(line);
    } catch (MalformedRequest e) {
      log.warn("malformed request: {}", e.getMessage());
      out.error(e.id(), ErrorCode.BAD_REQUEST, e.getMessage(), false);
      return true;
    }
    if (request instanceof Request.Phase phase) {
      start(phase);
    } else if (request instanceof Request.Cancel cancel) {
      cancelThreads.execute(() -> cancel(cancel));
    } else if (request instanceof Request.Shutdown shutdown) {
      shutdown(shutdown);
      return false;
    }
    return true;
  }

  private void start(Request.Phase request) {
    synchronized (lock) {
      if (running != null) {
        out.error(
            request.id(),
            ErrorCode.BUSY,
            "request " + running.request.id() + " is still running; one phase at a time",
            false);
        return;
      }
      Running started = new Running(request);
      running = started;
      phaseThread.execute(() -> runPhase(started));
    }
  }

  private void runPhase(Running run) {
    Request.Phase request = run.request;
    log.info("{} {}: job {}", request.type(), request.id(), request.jobId());
    ObjectNode result = out.message("result", request.id());
    ObjectNode failure = null;
    try {
      synchronized (lock) {
        run.thread = Thread.currentThread();
      }
      if (run.cancelled) {
        throw new InterruptedException("cancelled before it started");
      }
      phases.run(request, result, (fraction, text) -> progress(run, fraction, text));
    } catch (Exception e) {
      failure = failure(run, e);
    } catch (Error e) {
      // Out of memory and its kind: this JVM may be broken, so the worker should replace it.
      log.error("{} {} failed", request.type(), request.id(), e);
      failure = out.errorMessage(request.id(), ErrorCode.PROVER_FAILED, e.toString(), true);
    } finally {
      synchronized (lock) {
        try {
          out.write(failure != null ? failure : result);
        } finally {
          running = null;
          // A cancel that came too late must not interrupt the next request on this thread.
          Thread.interrupted();
          run.ended.countDown();
        }
      }
    }
  }

  private ObjectNode failure(Running run, Exception e) {
    String id = run.request.id();
    if (run.cancelled) {
      return out.errorMessage(id, ErrorCode.CANCELLED, "cancelled", false);
    }
    if (e instanceof RequestFailure failure) {
      log.warn("{} {} failed: {}", run.request.type(), id, failure.getMessage());
      return out.errorMessage(id, failure.code(), failure.getMessage(), false);
    }
    log.warn("{} {} failed", run.request.type(), id, e);
    String message = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    return out.errorMessage(id, ErrorCode.PROVER_FAILED, message, false);
  }

  private void progress(Running run, double fraction, String text) {
    synchronized (lock) {
      if (running == run && !run.cancelled) {
        out.progress(run.request.id(), fraction, text);
      }
    }
  }

  /** Stops the running phase of the job, if any, waits for it to end, then forgets the job. */
  private void cancel(Request.Cancel cancel) {
    try {
      Running stopped = stop(cancel.jobId());
      if (stopped != null) {
        stopped.ended.await();
      }
      phases.forget(cancel.jobId());
      log.info("cancel {}: job {} forgotten", cancel.id(), cancel.jobId());
      out.write(out.message("result", cancel.id()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (UncheckedIOException e) {
      log.warn("standard output closed while answering cancel {}", cancel.id());
    }
  }

  /** Interrupts the running phase when it belongs to {@code jobId} (any job when null). */
  private Running stop(String jobId) {
    synchronized (lock) {
      Running run = running;
      if (run == null || (jobId != null && !jobId.equals(run.request.jobId()))) {
        return null;
      }
      run.cancelled = true;
      if (run.thread != null) {
        run.thread.interrupt();
      }
      return run;
    }
  }

  /** Stops whatever runs (it ends CANCELLED), answers, and lets the process exit with 0. */
  private void shutdown(Request.Shutdown shutdown) {
    log.info("shutdown {}", shutdown.id());
    Running stopped = stop(null);
    try {
      if (stopped != null && !stopped.ended.await(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS)) {
        log.warn("request {} did not stop; exiting anyway", stopped.request.id());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (shutdown.id() != null) {
      out.write(out.message("result", shutdown.id()));
    }
  }
}
