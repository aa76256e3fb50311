package zisk.distributed.coordinator.scheduling;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.common.concurrent.DaemonThreads;
import zisk.distributed.common.rules.Uuids;
import zisk.distributed.coordinator.lifecycle.TaskReport;
import zisk.distributed.coordinator.store.JobDao.JobInput;
import zisk.distributed.coordinator.store.Store;
import zisk.distributed.coordinator.verification.ProofVerdict;
import zisk.distributed.coordinator.verification.ProofVerifier;

/**
 * Verifies final proofs before their reports reach the {@link ReportWriter}, so that a job
 * completes only with a proof the coordinator checked. Verification can take seconds (an external
 * command), so it runs on its own bounded pool, never on a gRPC thread or a report lane; the report
 * then joins its lane carrying the verdict, and the lifecycle decides in the same transaction as
 * always. Every other report passes straight through.
 *
 * <p>A prover has at most one final proof in verification: while it runs, the prover's later
 * reports and the end of its stream wait behind it, so they keep their order. Another final proof
 * waits too, and is checked only once the verdict before it is written: a duplicate then finds its
 * task settled and costs one lookup, while a proof sent again on a new session (the first verdict,
 * from the old session, did not count) is verified. Duplicates and late proofs stay harmless: a
 * proof is verified only while its prover holds the job's DISPATCHED AGGREGATE task, and the
 * lifecycle checks that again when the verdict is written.
 */
public final class FinalProofChecks implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(FinalProofChecks.class);

  /** Final proofs that may wait for a verifier thread; beyond, the prover must send again. */
  static final int MAX_WAITING_PROOFS = 1024;

  /** Reports of a prover that may wait behind its final proof; more are dropped. */
  static final int MAX_REPORTS_BEHIND_A_PROOF = 16;

  /** What waits behind a final proof: a report of the same prover, or the end of its stream. */
  private sealed interface Behind {}

  private record ReportBehind(TaskReport report, Runnable onFailure) implements Behind {}

  private record ActionBehind(Runnable action) implements Behind {}

  /** A final proof in verification, and what the prover sent after it, in order. */
  private static final class InFlight {
    final Deque<Behind> behind = new ArrayDeque<>();
    int reportsBehind;
  }

  private final Store store;
  private final InputSpool spool;
  private final Optional<ProofVerifier> verifier;
  private final ReportWriter reports;
  private final ThreadPoolExecutor pool;
  private final Map<String, InFlight> inFlight = new HashMap<>(); // by prover id; guarded by this

  /**
   * @param spool writes uploaded inputs to files in one of the verifier's inputs directories
   * @param verifier the configured verifier; empty when the operator turned verification off
   * @param concurrency most proofs verified at once
   */
  public FinalProofChecks(
      Store store,
      InputSpool spool,
      Optional<ProofVerifier> verifier,
      ReportWriter reports,
      int concurrency) {
    this.store = store;
    this.spool = spool;
    this.verifier = verifier;
    this.reports = reports;
    this.pool =
        new ThreadPoolExecutor(
            concurrency,
            concurrency,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(MAX_WAITING_PROOFS),
            DaemonThreads.named("coordinator-proof-checks"));
  }

  /** Passes a report on to its lane; a final proof is verified first. Never blocks. */
  public void submit(TaskReport report, Runnable onFailure) {
    if (verifier.isEmpty() && report.carriesFinalProof()) {
      reports.submit(report.withVerdict(ProofVerdict.unchecked()), onFailure);
      return;
    }
    synchronized (this) {
      InFlight waiting = inFlight.get(report.proverId());
      if (waiting != null) {
        queueBehind(waiting, report, onFailure);
        return;
      }
      if (!report.carriesFinalProof()) {
        reports.submit(report, onFailure);
        return;
      }
      inFlight.put(report.proverId(), new InFlight());
    }
    startCheck(report, onFailure);
  }

  /** Hands a final proof, already marked in flight, to the pool. */
  private void startCheck(TaskReport report, Runnable onFailure) {
    try {
      pool.execute(() -> check(report, onFailure));
    } catch (RejectedExecutionException e) {
      log.warn(
          "Final proof of prover {} not verified: {} proofs already wait for a verifier",
          report.proverId(),
          MAX_WAITING_PROOFS);
      finish(report.proverId());
      onFailure.run();
    }
  }

  /** Runs {@code action} once the prover's final proof in verification, if any, is passed on. */
  public void afterChecks(String proverId, Runnable action) {
    synchronized (this) {
      InFlight waiting = inFlight.get(proverId);
      if (waiting != null) {
        waiting.behind.add(new ActionBehind(action));
        return;
      }
    }
    action.run();
  }

  private void queueBehind(InFlight waiting, TaskReport report, Runnable onFailure) {
    if (waiting.reportsBehind >= MAX_REPORTS_BEHIND_A_PROOF) {
      log.warn(
          "Dropped a report of prover {}: {} already wait behind its final proof",
          report.proverId(),
          MAX_REPORTS_BEHIND_A_PROOF);
      return;
    }
    waiting.reportsBehind++;
    waiting.behind.add(new ReportBehind(report, onFailure));
  }

  private void check(TaskReport report, Runnable onFailure) {
    try {
      reports.submit(report.withVerdict(verdictOn(report)), onFailure);
    } catch (InterruptedException e) {
      // The coordinator is stopping: the stream ends too, and the worker sends its proof again.
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      // Most likely the database is away: the worker reconnects and sends its proof again.
      log.warn(
          "Could not verify the final proof of prover {}: {}", report.proverId(), e.getMessage());
      onFailure.run();
    } finally {
      finish(report.proverId());
    }
  }

  /**
   * The verdict on the report's proof, if its prover holds the job's running AGGREGATE task; else
   * {@link ProofVerdict#NOT_VERIFIED}, and the lifecycle ignores the report.
   */
  private ProofVerdict verdictOn(TaskReport report) throws InterruptedException {
    Optional<UUID> jobId = Uuids.parse(report.jobId());
    Optional<JobInput> input =
        jobId.flatMap(id -> store.read(tx -> tx.jobs().aggregationInput(id, report.proverId())));
    if (input.isEmpty()) {
      return ProofVerdict.NOT_VERIFIED;
    }
    long started = System.nanoTime();
    ProofVerdict verdict = verify(input.get(), report.result());
    log.info(
        "Final proof of prover {} for job {}: {}, {} ({} ms)",
        report.proverId(),
        jobId.get(),
        verdict.outcome(),
        verdict.detail(),
        (System.nanoTime() - started) / 1_000_000);
    return verdict;
  }

  /** Verifies against the job's input_path, or its uploaded input written to a file for that. */
  private ProofVerdict verify(JobInput input, byte[] proof) throws InterruptedException {
    if (input.inputId() == null) {
      return verifier.orElseThrow().verify(input.inputPath(), proof);
    }
    Optional<InputSpool.Spooled> file;
    try {
      file = spool.write(input.inputId());
    } catch (IOException e) {
      return ProofVerdict.verifierFailed("cannot write the job's uploaded input to a file: " + e);
    }
    if (file.isEmpty()) {
      return ProofVerdict.verifierFailed("the job's uploaded input is no longer stored");
    }
    try (InputSpool.Spooled spooled = file.get()) {
      return verifier.orElseThrow().verify(spooled.path().toString(), proof);
    }
  }

  /**
   * The prover's proof is passed on: what waited behind it follows, in order, up to the next final
   * proof, which is checked once the reports before it are written and keeps the rest waiting.
   * Under the lock, so that nothing the prover sends meanwhile overtakes it (each step only queues
   * work).
   */
  private synchronized void finish(String proverId) {
    InFlight done = inFlight.remove(proverId);
    if (done == null) {
      return;
    }
    while (!done.behind.isEmpty()) {
      Behind next = done.behind.poll();
      if (next instanceof ActionBehind action) {
        action.action().run();
      } else if (next instanceof ReportBehind waiting && !waiting.report().carriesFinalProof()) {
        reports.submit(waiting.report(), waiting.onFailure());
      } else {
        ReportBehind proof = (ReportBehind) next;
        InFlight again = new InFlight();
        again.behind.addAll(done.behind);
        again.reportsBehind = done.behind.size();
        inFlight.put(proverId, again);
        reports.afterReports(proverId, () -> startCheck(proof.report(), proof.onFailure()));
        return;
      }
    }
  }

  /** Stops verifying; proofs in verification are dropped (their workers send them again). */
  @Override
  public void close() {
    pool.shutdownNow();
    try {
      pool.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
