package zisk.distributed.coordinator.lifecycle;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.coordinator.store.ProverDao.RegistrationRow;
import zisk.distributed.coordinator.store.Rows;
import zisk.distributed.coordinator.store.Store;
import zisk.distributed.coordinator.store.Tx;

/**
 * The prover row's side of a stream: register or reconnect (a new session epoch), and the stream's
 * end. Each is one transaction that checks the row it finds; a registration that finds the prover
 * gone from a job it worked for loses that work through the {@link JobLifecycle}.
 */
public final class ProverRegistrations {

  private static final Logger log = LoggerFactory.getLogger(ProverRegistrations.class);

  /** The outcome of a register or reconnect. */
  public sealed interface Outcome {
    /** Accepted with a new epoch; {@code resumedJob} is the job whose work the prover keeps. */
    record Accepted(long epoch, Optional<UUID> resumedJob, Instant registeredAt, Effects effects)
        implements Outcome {}

    record Refused(String reason) implements Outcome {}
  }

  private final Store store;
  private final JobLifecycle lifecycle;
  private final UUID instanceId;
  private final Duration liveness;
  private final Predicate<String> liveHere;

  /**
   * @param liveness how recently a prover must have been heard from for its stream to count as live
   *     (a second stream for a live prover id is refused)
   * @param liveHere whether this coordinator holds an open stream of the prover heard from within
   *     {@code liveness}: for its own streams, memory knows best
   */
  public ProverRegistrations(
      Store store,
      JobLifecycle lifecycle,
      UUID instanceId,
      Duration liveness,
      Predicate<String> liveHere) {
    this.store = store;
    this.lifecycle = lifecycle;
    this.instanceId = instanceId;
    this.liveness = liveness;
    this.liveHere = liveHere;
  }

  /**
   * Registers a prover on this coordinator. With {@code lastKnownJob} (a reconnect) a prover that
   * still works for that job keeps its work; otherwise any work it had is lost with its old state,
   * and a reconnect naming a job it no longer works for is told to drop that job (JobCancelled).
   */
  public Outcome register(String proverId, int computeUnits, Optional<UUID> lastKnownJob) {
    return store.inTransaction(
        tx -> {
          tx.provers().lockJobOf(proverId);
          Optional<RegistrationRow> existing =
              tx.provers().lockForRegistration(proverId, liveness.toMillis() / 1000.0);
          Effects effects = Effects.none().admit();
          if (existing.isEmpty()) {
            Instant at = tx.provers().insert(proverId, computeUnits, instanceId);
            dropStaleWork(proverId, lastKnownJob, effects);
            return new Outcome.Accepted(1, Optional.empty(), at, effects);
          }
          RegistrationRow row = existing.get();
          // A reconnect naming the job the prover works for is the same worker whose old stream
          // died
          // (perhaps with its coordinator): it takes its session back at once. Anything else must
          // wait until the old stream is known dead.
          boolean resuming =
              lastKnownJob.isPresent() && lastKnownJob.get().equals(row.currentJobId());
          if (!resuming && isLive(row, proverId)) {
            return new Outcome.Refused(
                "prover id '"
                    + proverId
                    + "' is already connected"
                    + (instanceId.equals(row.instanceId())
                        ? ""
                        : " to coordinator " + row.instanceId())
                    + "; a second stream for it is refused (retry once the old stream is gone)");
          }
          if (row.currentJobId() != null && !resuming) {
            keepOrLoseWork(tx, proverId, row.currentJobId(), effects);
          }
          Instant at = tx.provers().openSession(proverId, computeUnits, instanceId);
          if (resuming) {
            log.info("Prover {} resumed its work on job {}", proverId, row.currentJobId());
          } else {
            dropStaleWork(proverId, lastKnownJob, effects);
          }
          return new Outcome.Accepted(
              row.sessionEpoch() + 1, resuming ? lastKnownJob : Optional.empty(), at, effects);
        });
  }

  /**
   * A prover that registers while a job still counts on it: if its whole part was assigned while it
   * was away and never sent (its coordinator died with its stream, and the row still said IDLE),
   * there is no state to lose and it keeps the task. Otherwise the worker no longer has the job's
   * in-memory state, and its part of the attempt is lost.
   */
  private void keepOrLoseWork(Tx tx, String proverId, UUID jobId, Effects effects) {
    if (tx.tasks().onlyAssigned(proverId, jobId)) {
      log.info(
          "Prover {} registered with a task of job {} not yet sent to it; it keeps it",
          proverId,
          jobId);
    } else {
      lifecycle.loseProver(
          tx,
          proverId,
          jobId,
          "prover " + proverId + " came back without the state of job " + jobId,
          effects);
    }
  }

  /**
   * A reconnect named a job the prover no longer works for (it came back after the grace, or its
   * part was done): tell it to drop that job. The worker may still be running work the coordinator
   * gave up on; left alone, it stays busy and refuses the new tasks it is about to get.
   */
  private static void dropStaleWork(String proverId, Optional<UUID> lastKnownJob, Effects effects) {
    lastKnownJob.ifPresent(
        job ->
            effects.cancel(
                proverId,
                job,
                null,
                "prover "
                    + proverId
                    + " has no work left in job "
                    + job
                    + "; drop what it holds of it"));
  }

  /**
   * The stream of a session ended. An idle prover is DISCONNECTED at once; a busy one keeps its
   * work for the grace period, in case it reconnects (the lost-stream sweep decides after that).
   */
  public void streamClosed(String proverId, long epoch) {
    int changed = store.read(tx -> tx.provers().endStream(proverId, epoch, instanceId));
    if (!Rows.one(changed, "ending the stream of prover " + proverId)) {
      log.debug(
          "Stream of prover {} (epoch {}) closed after a newer session took over", proverId, epoch);
    }
  }

  /**
   * A stream counts as live while its coordinator is alive and the prover was heard from within the
   * liveness window. For streams this coordinator holds, its own session knows best.
   */
  private boolean isLive(RegistrationRow row, String proverId) {
    if (row.instanceId() == null) {
      return false;
    }
    if (row.instanceId().equals(instanceId)) {
      return liveHere.test(proverId);
    }
    return row.holderAlive() && row.heardRecently();
  }
}
