package zisk.distributed.coordinator.scheduling;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.common.concurrent.DaemonThreads;
import zisk.distributed.coordinator.lifecycle.Effects;
import zisk.distributed.coordinator.lifecycle.JobLifecycle;
import zisk.distributed.coordinator.lifecycle.TaskReport;

/**
 * Group commit for prover reports: results and errors that arrive together are applied in one
 * transaction, so a busy cluster pays one durable commit for many of them. There is no general
 * batching window: a lane takes what is queued the moment it is free, so at low load a report is
 * written alone and at once, and under load the reports that queued during one commit share the
 * next. The one wait: a lone result whose job has another rank out waits a moment for it ({@link
 * #awaitOtherRanks}). Plain successes, most reports, are written in one statement that is its own
 * commit ({@link JobLifecycle#recordAtOnce}); the others in one transaction that checks each.
 *
 * <p>Reports are spread over a few lanes by job, each lane one thread with its own transaction: the
 * ranks of a job that answer together share a transaction instead of queueing on the job's row
 * lock, and lanes never touch each other's jobs. What one prover says about a job is applied in the
 * order it said it, and work queued behind a prover's reports (the end of its stream) runs on the
 * lane of its last report, after them.
 */
public final class ReportWriter implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ReportWriter.class);
  private static final long DRAIN_ON_CLOSE_MILLIS = 5_000;
  static final long OTHER_RANKS_WAIT_NANOS = 2_000_000;

  /** Queued work: a report to write, or an action to run once the reports before it are written. */
  private sealed interface Work {}

  /** A report, and what to do if it cannot be written (end the stream, so the worker re-syncs). */
  private record Report(TaskReport report, Runnable onFailure) implements Work {}

  private record Action(Runnable action) implements Work {}

  /** Ends a lane once the work before it is done. */
  private record Stop() implements Work {}

  private final Dispatcher dispatcher;
  private final JobLifecycle lifecycle;
  private final Consumer<Committed> afterCommit;
  private final int maxBatch;
  private final List<BlockingQueue<Work>> lanes = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();

  /** The job each prover last reported on: where work queued behind its reports must go. */
  private final Map<String, String> lastJobOf = new ConcurrentHashMap<>();

  /**
   * @param afterCommit applies a committed batch's effects (sends its tasks)
   * @param lanes how many transactions may be open at once
   * @param maxBatch most reports in one transaction
   */
  public ReportWriter(
      Dispatcher dispatcher,
      JobLifecycle lifecycle,
      Consumer<Committed> afterCommit,
      int lanes,
      int maxBatch) {
    this.dispatcher = dispatcher;
    this.lifecycle = lifecycle;
    this.afterCommit = afterCommit;
    this.maxBatch = maxBatch;
    var factory = DaemonThreads.named("coordinator-reports");
    for (int i = 0; i < lanes; i++) {
      BlockingQueue<Work> queue = new LinkedBlockingQueue<>();
      this.lanes.add(queue);
      Thread thread = factory.newThread(() -> drain(queue));
      threads.add(thread);
      thread.start();
    }
  }

  /** Queues a report on its job's lane. */
  public void submit(TaskReport report, Runnable onFailure) {
    dispatcher.awaited().answered(report.jobId(), report.taskId());
    lastJobOf.put(report.proverId(), report.jobId());
    lane(report.jobId()).add(new Report(report, onFailure));
  }

  /** Runs {@code action} once every report the prover sent before now is written. */
  public void afterReports(String proverId, Runnable action) {
    String lastJob = lastJobOf.remove(proverId);
    lane(lastJob != null ? lastJob : proverId).add(new Action(action));
  }

  private BlockingQueue<Work> lane(String key) {
    return lanes.get(Math.floorMod(key.hashCode(), lanes.size()));
  }

  private void drain(BlockingQueue<Work> queue) {
    List<Work> batch = new ArrayList<>(maxBatch);
    List<Report> reports = new ArrayList<>(maxBatch);
    while (true) {
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        return;
      }
      queue.drainTo(batch, maxBatch - 1);
      try {
        awaitOtherRanks(queue, batch);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // write what was taken; the next take ends the lane
      }
      for (Work work : batch) {
        if (work instanceof Report report) {
          reports.add(report);
          continue;
        }
        write(reports);
        reports.clear();
        if (work instanceof Stop) {
          return;
        }
        run(((Action) work).action());
      }
      write(reports);
      reports.clear();
      batch.clear();
    }
  }

  /**
   * A lone report whose job has another rank out, sent from here, waits up to {@link
   * #OTHER_RANKS_WAIT_NANOS} for it: ranks given equal shares often answer together, and then both
   * are written in one statement, where the last would otherwise wait for the first's. This adds
   * nothing to a phase's end, which waits for its last rank anyway; under load batches are not
   * lone, and never wait.
   */
  private void awaitOtherRanks(BlockingQueue<Work> queue, List<Work> batch)
      throws InterruptedException {
    if (batch.size() != 1 || !(batch.get(0) instanceof Report lone)) {
      return;
    }
    String jobId = lone.report().jobId();
    long deadline = System.nanoTime() + OTHER_RANKS_WAIT_NANOS;
    while (batch.size() < maxBatch && dispatcher.awaited().awaited(jobId)) {
      Work next = queue.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (next == null) {
        return;
      }
      batch.add(next);
    }
  }

  /**
   * Writes a batch in its order, in runs: a run of plain successes in one statement, then those of
   * them it left and each run of other reports in a transaction that checks each. A batch of plain
   * successes, the usual one, costs one round trip.
   */
  private void write(List<Report> batch) {
    List<Report> run = new ArrayList<>();
    boolean runAtOnce = false;
    for (Report report : batch) {
      boolean atOnce = JobLifecycle.recordableAtOnce(report.report());
      if (!run.isEmpty() && atOnce != runAtOnce) {
        writeRun(run, runAtOnce);
        run = new ArrayList<>();
      }
      run.add(report);
      runAtOnce = atOnce;
    }
    if (!run.isEmpty()) {
      writeRun(run, runAtOnce);
    }
  }

  private void writeRun(List<Report> run, boolean atOnce) {
    List<Report> checked = atOnce ? writeAtOnce(inJobOrder(run)) : run;
    if (!checked.isEmpty()) {
      writeChecked(inJobOrder(checked));
    }
  }

  /** Job locks in one order in every batch (a stable sort keeps each prover's order). */
  private static List<Report> inJobOrder(List<Report> reports) {
    List<Report> ordered = new ArrayList<>(reports);
    ordered.sort(Comparator.comparing(report -> report.report().jobId()));
    return ordered;
  }

  /**
   * Writes plain successes in one statement, which is its own commit ({@link
   * JobLifecycle#recordAtOnce}); answers those it left for a transaction with every check.
   */
  private List<Report> writeAtOnce(List<Report> ordered) {
    if (ordered.isEmpty()) {
      return List.of();
    }
    List<Integer> left = new ArrayList<>();
    Committed committed;
    try {
      committed =
          dispatcher.runAtOnce(
              tx -> {
                JobLifecycle.AtOnce atOnce =
                    lifecycle.recordAtOnce(tx, ordered.stream().map(Report::report).toList());
                left.addAll(atOnce.left());
                return atOnce.effects();
              });
    } catch (RuntimeException e) {
      // As for a transaction that failed: the statement may have committed all the same, so
      // these provers' streams end, and each worker re-synchronizes its task when it reconnects.
      log.warn("Could not record {} result(s): {}", ordered.size(), e.getMessage());
      ordered.forEach(report -> run(report.onFailure()));
      return List.of();
    }
    if (left.size() < ordered.size()) {
      afterCommit.accept(committed);
    }
    return left.stream().map(ordered::get).toList();
  }

  private void writeChecked(List<Report> ordered) {
    Committed committed;
    try {
      committed =
          dispatcher.run(
              tx -> {
                Effects effects = Effects.none();
                for (Report report : ordered) {
                  effects.merge(lifecycle.report(tx, report.report()));
                }
                return effects;
              });
    } catch (RuntimeException e) {
      if (ordered.size() > 1) {
        // One report spoiled the batch's transaction: write each alone, so the others still count.
        ordered.forEach(report -> writeChecked(List.of(report)));
        return;
      }
      Report report = ordered.get(0);
      // Most likely the database is away. Ending the stream makes the worker reconnect; its running
      // task and any result it holds are re-synchronized then.
      log.warn(
          "Could not record the report of prover {} on task {}: {}",
          report.report().proverId(),
          report.report().taskId(),
          e.getMessage());
      run(report.onFailure());
      return;
    }
    afterCommit.accept(committed);
  }

  private static void run(Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      log.warn("Work queued behind reports failed: {}", e.getMessage());
    }
  }

  /** Writes what is queued (for a few seconds at most), then stops the lanes. */
  @Override
  public void close() {
    lanes.forEach(queue -> queue.add(new Stop()));
    long deadline = System.currentTimeMillis() + DRAIN_ON_CLOSE_MILLIS;
    for (Thread thread : threads) {
      try {
        thread.join(Math.max(1, deadline - System.currentTimeMillis()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      thread.interrupt();
    }
  }
}
