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
 *
 * <p>A reconnect resumes a session only when it presents that session's {@link SessionSecret}.
 * Anyone can name a prover id and a job id (JobsList shows both), so a reconnect without the secret
 * is a new registration of a prover whose work is lost: never a welcome back, and nothing in the
 * answer speaks of the job. The secret is issued when a session starts and stays the same through
 * the reconnects that resume it, so a reconnect whose answer was lost on a breaking link can be
 * retried with it.
 */
public final class ProverRegistrations {

  private static final Logger log = LoggerFactory.getLogger(ProverRegistrations.class);

  /** What a reconnect claims: the job it was working on, if any, and its session's secret. */
  public record Reconnect(Optional<UUID> lastKnownJob, String sessionSecret) {
    @Override
    public String toString() {
      return "Reconnect[lastKnownJob=" + lastKnownJob + ", sessionSecret=redacted]";
    }
  }

  /** The outcome of a register or reconnect. */
  public sealed interface Outcome {
    /**
     * Accepted with a new epoch; {@code resumedJob} is the job whose work the prover keeps; {@code
     * sessionSecret} the new session's secret for the prover, empty when it resumed its session.
     */
    record Accepted(
        long epoch,
        Optional<UUID> resumedJob,
        Instant registeredAt,
        Effects effects,
        Optional<String> sessionSecret)
        implements Outcome {
      @Override
      public String toString() {
        return "Accepted[epoch=" + epoch + ", resumedJob=" + resumedJob + "]";
      }
    }

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

  /** A {@code register}: a new session; see {@link #register(String, int, Optional)}. */
  public Outcome register(String proverId, int computeUnits) {
    return register(proverId, computeUnits, Optional.empty());
  }

  /**
   * Registers a prover on this coordinator. A {@code reconnect} that proves its session (its secret
   * matches) keeps the work of the job it names while the prover still works for it, and is told to
   * drop that job otherwise (JobCancelled). Any other registration starts a new session: a register
   * keeps only work never sent to the prover (see {@link #keepOrLoseWork}); a reconnect that does
   * not prove its session loses all of it.
   */
  public Outcome register(String proverId, int computeUnits, Optional<Reconnect> reconnect) {
    return store.inTransaction(
        tx -> {
          tx.provers().lockJobOf(proverId);
          Optional<RegistrationRow> existing =
              tx.provers().lockForRegistration(proverId, liveness.toMillis() / 1000.0);
          Effects effects = Effects.none().admit();
          boolean proven = existing.isPresent() && proves(tx, proverId, reconnect);
          boolean unproven = reconnect.isPresent() && !proven;
          if (unproven) {
            log.info(
                "Prover {} reconnected without its session secret: a new registration", proverId);
          }
          if (existing.isEmpty()) {
            Instant at = tx.provers().insert(proverId, computeUnits, instanceId);
            return new Outcome.Accepted(
                1, Optional.empty(), at, effects, Optional.of(newSecret(tx, proverId)));
          }
          RegistrationRow row = existing.get();
          Optional<UUID> lastKnownJob =
              proven ? reconnect.get().lastKnownJob() : Optional.<UUID>empty();
          // A proven reconnect naming the job the prover works for is the same worker whose old
          // stream died (perhaps with its coordinator): it takes its session back at once.
          // Anything else must wait until the old stream is known dead.
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
          if (row.currentJobId() != null && unproven) {
            loseWork(tx, proverId, row.currentJobId(), effects);
          } else if (row.currentJobId() != null && !resuming) {
            keepOrLoseWork(tx, proverId, row.currentJobId(), effects);
          }
          Instant at = tx.provers().openSession(proverId, computeUnits, instanceId);
          if (resuming) {
            log.info("Prover {} resumed its work on job {}", proverId, row.currentJobId());
          } else {
            dropStaleWork(proverId, lastKnownJob, effects);
          }
          long epoch = row.sessionEpoch() + 1;
          if (proven) {
            return new Outcome.Accepted(
                epoch, resuming ? lastKnownJob : Optional.empty(), at, effects, Optional.empty());
          }
          return new Outcome.Accepted(
              epoch, Optional.empty(), at, effects, Optional.of(newSecret(tx, proverId)));
        });
  }

  /** Whether the reconnect presents the secret of the prover's session (its row is locked). */
  private static boolean proves(Tx tx, String proverId, Optional<Reconnect> reconnect) {
    return reconnect.isPresent()
        && tx.sessionSecrets()
            .hashOf(proverId)
            .map(hash -> SessionSecret.matches(reconnect.get().sessionSecret(), hash))
            .orElse(false);
  }

  /** Starts a new session's secret: its hash replaces the old one, which proves nothing more. */
  private static String newSecret(Tx tx, String proverId) {
    SessionSecret secret = SessionSecret.issue();
    Rows.exactlyOne(
        tx.sessionSecrets().store(proverId, secret.hash()),
        "storing the session secret of prover " + proverId);
    return secret.value();
  }

  /**
   * A reconnect that did not prove its session: whoever sent it may be anyone who read the ids, so
   * the prover's work is lost, whatever its tasks' state, and none of it reaches this stream.
   */
  private void loseWork(Tx tx, String proverId, UUID jobId, Effects effects) {
    lifecycle.loseProver(
        tx,
        proverId,
        jobId,
        "prover " + proverId + " reconnected without its session secret; its work is lost",
        effects);
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
