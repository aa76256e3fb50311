package zisk.distributed.worker.task;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.api.v1.ExecuteTaskRequest;
import zisk.distributed.api.v1.ExecuteTaskResponse;
import zisk.distributed.api.v1.TaskType;
import zisk.distributed.common.concurrent.DaemonThreads;
import zisk.distributed.worker.metrics.WorkerMetrics;
import zisk.distributed.worker.prover.ProverBackend;

/**
 * Runs tasks through the prover backend on one dedicated thread, one task at a time.
 *
 * <p>Every backend call (phases and {@code release}) happens on that thread, so a backend never
 * sees two calls at once. The runner keeps the backend's state of the job it last worked on between
 * phases, and releases it after AGGREGATE, after a failed or cancelled task, and when a task of
 * another job arrives (a prover whose share is done gets no further message about that job).
 *
 * <p>Cancellation interrupts the task thread; the backend answers with {@link InterruptedException}
 * and nothing is sent for the task. Interrupts are only ever delivered while the runner's lock
 * shows the task still running, and the task clears its thread's interrupt status under the same
 * lock when it ends, so a late cancel cannot hit the next task.
 */
public final class TaskRunner implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TaskRunner.class);
  private static final Duration CLOSE_PATIENCE = Duration.ofSeconds(5);

  /** One accepted task. Fields other than {@code request} are guarded by the runner's lock. */
  private static final class Task {
    final ExecuteTaskRequest request;
    Thread thread;
    boolean discard;
    String discardReason;

    Task(ExecuteTaskRequest request) {
      this.request = request;
    }
  }

  private final ProverBackend backend;
  private final String proverId;
  private final Consumer<ExecuteTaskResponse> results;
  private final TaskPhases phases;
  private final TaskLog taskLog;
  private final ExecutorService taskThread;
  private final Object lock = new Object();
  private Task current;
  private int inProgress;
  private boolean accepting = true;
  private String heldJobId;

  /** The response of the last task that ran to an end, for a coordinator that sends it again. */
  private ExecuteTaskResponse lastResponse;

  /**
   * @param inputs where PARTIAL_CONTRIBUTION tasks may read their input
   * @param results receives each finished task's response, on the task thread
   * @param metrics counts tasks by phase and outcome, and their durations
   */
  public TaskRunner(
      ProverBackend backend,
      String proverId,
      InputSource inputs,
      Consumer<ExecuteTaskResponse> results,
      WorkerMetrics metrics) {
    this.backend = backend;
    this.proverId = proverId;
    this.results = results;
    this.phases = new TaskPhases(backend, proverId, inputs);
    this.taskLog = new TaskLog(proverId, metrics);
    // A daemon: a backend that ignores interrupts must not keep the JVM alive after the worker
    // stopped.
    this.taskThread = Executors.newSingleThreadExecutor(DaemonThreads.named("zisk-worker-task"));
  }

  /**
   * Accepts a task, or says at once why not.
   *
   * <p>A coordinator sends a task again after a reconnect. If that task already finished here (say,
   * while the stream was down), its response is answered again rather than the task run a second
   * time: a second run would waste the prover's time and keep it busy when the next phase's task
   * arrives, which it would then have to refuse.
   *
   * @return empty when the task runs (or, for a repeat of the running task, already runs); else the
   *     response to send right away: the finished task's own response for a repeat of it, or a
   *     failure (busy with another task, or shutting down)
   */
  public Optional<ExecuteTaskResponse> submit(ExecuteTaskRequest request) {
    synchronized (lock) {
      if (lastResponse != null
          && lastResponse.getTaskId().equals(request.getTaskId())
          && lastResponse.getJobId().equals(request.getJobId())) {
        log.info(
            "prover {} job {} task {}: sent again after it finished; answering its result again",
            proverId,
            request.getJobId(),
            request.getTaskId());
        return Optional.of(lastResponse);
      }
      if (!accepting) {
        log.warn(
            "prover {} job {} task {}: refused, shutting down",
            proverId,
            request.getJobId(),
            request.getTaskId());
        return Optional.of(
            TaskResponses.failed(request, proverId, "prover " + proverId + " is shutting down"));
      }
      if (current != null) {
        ExecuteTaskRequest running = current.request;
        if (running.getTaskId().equals(request.getTaskId())
            && running.getJobId().equals(request.getJobId())) {
          log.info(
              "prover {} job {} task {}: sent again while it runs; its result will follow",
              proverId,
              request.getJobId(),
              request.getTaskId());
          return Optional.empty();
        }
        log.warn(
            "prover {} job {} task {}: refused, busy with task {} of job {}",
            proverId,
            request.getJobId(),
            request.getTaskId(),
            running.getTaskId(),
            running.getJobId());
        return Optional.of(TaskResponses.busy(request, proverId, running));
      }
      Task task = new Task(request);
      try {
        taskThread.execute(() -> run(task));
      } catch (RejectedExecutionException e) {
        return Optional.of(
            TaskResponses.failed(request, proverId, "prover " + proverId + " is shutting down"));
      }
      current = task;
      inProgress++;
      return Optional.empty();
    }
  }

  /**
   * Cancels the job's work: interrupts its running task (nothing is sent for it) and releases the
   * job's state. A cancel naming a task ({@code taskId} not empty) while another task of the same
   * job runs is stale (it was meant for an earlier attempt) and is ignored.
   *
   * @return the outcome
   */
  public CancelOutcome cancel(String jobId, String taskId, String reason) {
    synchronized (lock) {
      if (current != null && current.request.getJobId().equals(jobId)) {
        if (!taskId.isEmpty() && !current.request.getTaskId().equals(taskId)) {
          log.info(
              "prover {} job {}: ignored a cancel for task {} while task {} of the job runs (stale)",
              proverId,
              jobId,
              taskId,
              current.request.getTaskId());
          return CancelOutcome.STALE;
        }
        discard(current, "job cancelled: " + reason);
        // The coordinator no longer waits on it: a new task may queue behind it while it unwinds.
        current = null;
        return CancelOutcome.INTERRUPTED;
      }
    }
    try {
      taskThread.execute(
          () -> {
            if (jobId.equals(heldJobId())) {
              release(jobId);
            }
          });
    } catch (RejectedExecutionException e) {
      // Closing: close() releases what is held.
    }
    return CancelOutcome.RELEASED;
  }

  /** Refuses every task from now on. */
  public void stopAccepting() {
    synchronized (lock) {
      accepting = false;
    }
  }

  /** Interrupts the running task and sends nothing for it (the worker is going away). */
  public void abandon() {
    synchronized (lock) {
      if (current != null) {
        discard(current, "abandoned, worker stopping");
      }
    }
  }

  /** Waits until no task is running or unwinding; true when idle. */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (inProgress > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
      return true;
    }
  }

  /** The task whose phase runs now, if any. */
  public Optional<ExecuteTaskRequest> runningTask() {
    return phases.running();
  }

  /** The job this prover works on: the running task's, else the one whose state is kept. */
  public Optional<String> currentJobId() {
    synchronized (lock) {
      return Optional.ofNullable(current != null ? current.request.getJobId() : heldJobId);
    }
  }

  /** Abandons the running task, releases the kept job state and stops the task thread. */
  @Override
  public void close() {
    stopAccepting();
    abandon();
    try {
      taskThread.execute(
          () -> {
            String held = heldJobId();
            if (held != null) {
              release(held);
            }
          });
    } catch (RejectedExecutionException e) {
      // Already closed.
    }
    taskThread.shutdown();
    try {
      if (!taskThread.awaitTermination(CLOSE_PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn(
            "prover {}: the prover backend did not stop within {} s of an interrupt",
            proverId,
            CLOSE_PATIENCE.toSeconds());
        taskThread.shutdownNow();
      }
    } catch (InterruptedException e) {
      taskThread.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private void run(Task task) {
    ExecuteTaskRequest request = task.request;
    String jobId = request.getJobId();
    boolean dropped;
    synchronized (lock) {
      dropped = task.discard;
      if (dropped) {
        if (current == task) {
          current = null;
        }
      } else {
        task.thread = Thread.currentThread();
      }
    }
    if (dropped) {
      taskLog.dropped(request, task.discardReason);
      if (jobId.equals(heldJobId())) {
        release(jobId);
      }
      finishCounted();
      return;
    }
    releaseOtherJobs(jobId);
    taskLog.running(request);
    long startNanos = System.nanoTime();
    ExecuteTaskResponse response = null;
    boolean interrupted = false;
    Throwable failure = null;
    try {
      response = phases.execute(request);
    } catch (InterruptedException e) {
      interrupted = true;
    } catch (Throwable e) {
      failure = e;
    }
    if (interrupted) {
      failure = new InterruptedException("task interrupted");
    }
    if (failure != null) {
      response = TaskResponses.failed(request, proverId, failure);
    }
    boolean discard;
    String discardReason;
    synchronized (lock) {
      discard = task.discard;
      discardReason = task.discardReason;
      task.thread = null;
      // A cancel that raced with the end of this task must not interrupt the next one.
      Thread.interrupted();
      if (current == task) {
        current = null;
      }
      if (!discard) {
        // Set with current cleared, under one lock: a repeat of this task can never find neither.
        lastResponse = response;
      }
    }
    long millis = (System.nanoTime() - startNanos) / 1_000_000;
    if (discard) {
      taskLog.stopped(request, millis, discardReason);
      release(jobId);
      finishCounted();
      return;
    }
    taskLog.ended(request, millis, failure);
    try {
      results.accept(response);
    } catch (RuntimeException e) {
      log.error(
          "prover {} job {} task {}: handing over the result failed",
          proverId,
          jobId,
          request.getTaskId(),
          e);
    }
    if (failure != null || request.getTaskType() == TaskType.AGGREGATE) {
      release(jobId);
    }
    finishCounted();
  }

  /** Marks a task to be dropped and interrupts it if it is running. Caller holds the lock. */
  private void discard(Task task, String reason) {
    if (task.discard) {
      return;
    }
    task.discard = true;
    task.discardReason = reason;
    if (task.thread != null) {
      task.thread.interrupt();
    }
    log.info(
        "prover {} job {} task {}: {}",
        proverId,
        task.request.getJobId(),
        task.request.getTaskId(),
        reason);
  }

  private void finishCounted() {
    synchronized (lock) {
      inProgress--;
      lock.notifyAll();
    }
  }

  private void releaseOtherJobs(String jobId) {
    String held = heldJobId();
    if (held != null && !held.equals(jobId)) {
      release(held);
    }
    synchronized (lock) {
      heldJobId = jobId;
    }
  }

  private String heldJobId() {
    synchronized (lock) {
      return heldJobId;
    }
  }

  /** Drops the backend's state of a job. Task thread only. */
  private void release(String jobId) {
    try {
      backend.release(jobId);
      log.debug("prover {} job {}: released the job's state", proverId, jobId);
    } catch (RuntimeException e) {
      log.warn("prover {} job {}: releasing the job's state failed", proverId, jobId, e);
    }
    synchronized (lock) {
      if (jobId.equals(heldJobId)) {
        heldJobId = null;
      }
    }
  }
}
