package zisk.distributed.coordinator.scheduling;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.common.concurrent.DaemonThreads;
import zisk.distributed.coordinator.lifecycle.Effects;
import zisk.distributed.coordinator.lifecycle.JobLifecycle;
import zisk.distributed.coordinator.lifecycle.TaskReport;

/**
 * Group commit for prover reports: results and errors that arrive together are applied in one
 * transaction, so a busy cluster pays one durable commit for many of them. There is no batching
 * window: a lane takes what is queued the moment it is free, so at low load a report is written
 * alone and at once, and under load the reports that queued during one commit share the next.
 *
 * <p>Reports are spread over a few lanes by job, each lane one thread with its own transaction:
 * the reports of one job stay in order on one lane, and lanes never touch the same job's rows.
 */
public final class ReportWriter implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ReportWriter.class);

  /** A report, and what to do if it cannot be written (end the stream, so the worker re-syncs). */
  private record Pending(TaskReport report, Runnable onFailure) {}

  private final Dispatcher dispatcher;
  private final JobLifecycle lifecycle;
  private final Consumer<Committed> afterCommit;
  private final int maxBatch;
  private final List<BlockingQueue<Pending>> lanes = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running = true;

  /**
   * @param afterCommit applies a committed batch's effects (sends its tasks)
   * @param lanes how many transactions may be open at once
   * @param maxBatch most reports in one transaction
   */
  public ReportWriter(Dispatcher dispatcher, JobLifecycle lifecycle, Consumer<Committed> afterCommit, int lanes,
      int maxBatch) {
    this.dispatcher = dispatcher;
    this.lifecycle = lifecycle;
    this.afterCommit = afterCommit;
    this.maxBatch = maxBatch;
    var factory = DaemonThreads.named("coordinator-reports");
    for (int i = 0; i < lanes; i++) {
      BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
      this.lanes.add(queue);
      Thread thread = factory.newThread(() -> drain(queue));
      threads.add(thread);
      thread.start();
    }
  }

  /** Queues a report for its job's lane. */
  public void submit(TaskReport report, Runnable onFailure) {
    lanes.get(Math.floorMod(report.jobId().hashCode(), lanes.size())).add(new Pending(report, onFailure));
  }

  private void drain(BlockingQueue<Pending> queue) {
    List<Pending> batch = new ArrayList<>(maxBatch);
    while (running) {
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        return;
      }
      queue.drainTo(batch, maxBatch - 1);
      write(batch);
      batch.clear();
    }
  }

  private void write(List<Pending> batch) {
    Committed committed;
    try {
      committed = dispatcher.run(tx -> {
        Effects effects = Effects.none();
        for (Pending pending : batch) {
          effects.merge(lifecycle.report(tx, pending.report()));
        }
        return effects;
      });
    } catch (RuntimeException e) {
      if (batch.size() > 1) {
        // One report spoiled the batch's transaction: write each alone, so the others still count.
        batch.forEach(pending -> write(List.of(pending)));
        return;
      }
      Pending pending = batch.get(0);
      // Most likely the database is away. Ending the stream makes the worker reconnect; its running
      // task and any result it holds are re-synchronized then.
      log.warn("Could not record the report of prover {} on task {}: {}", pending.report().proverId(),
          pending.report().taskId(), e.getMessage());
      pending.onFailure().run();
      return;
    }
    afterCommit.accept(committed);
  }

  @Override
  public void close() {
    running = false;
    threads.forEach(Thread::interrupt);
  }
}
