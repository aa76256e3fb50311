package zisk.distributed.coordinator.lifecycle;

import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.coordinator.store.JobDao.RunningJob;
import zisk.distributed.coordinator.store.Phase;
import zisk.distributed.coordinator.store.ProverDao.IdleProver;
import zisk.distributed.coordinator.store.RankDao.HeldRank;
import zisk.distributed.coordinator.store.RankDao.Recheck;
import zisk.distributed.coordinator.store.RankDao.WaitingRank;
import zisk.distributed.coordinator.store.Rows;
import zisk.distributed.coordinator.store.TaskDao.ReportedTask;
import zisk.distributed.coordinator.store.TaskDao.WrittenTask;
import zisk.distributed.coordinator.store.TaskState;
import zisk.distributed.coordinator.store.Tx;

/**
 * Lost ranks recomputed: a prover lost during PARTIAL_CONTRIBUTION or PROVE costs its rank, not the
 * attempt. Its rank waits for an idle prover whose compute units cover the rank's allocation (the
 * admission round of any coordinator gives it one), which runs the rank's contribution again.
 *
 * <ul>
 *   <li>If the lost prover had not contributed, the replacement's contribution simply counts.
 *   <li>If it had, the two must be equal (a deterministic prover makes the same contribution from
 *       the same input, allocation and rank); the replacement then holds the rank's witness, and in
 *       a job already proving, proves the rank with the stored challenges.
 *   <li>A contribution that differs, or no replacement within the wait, restarts the attempt.
 * </ul>
 *
 * A task past its deadline ({@link TaskTimeout}) loses its rank the same way. Lost during
 * AGGREGATE, or lost while waiting to aggregate (the first prover done with PROVE), the attempt
 * restarts as before. Every step runs in the transition's transaction, the job row locked.
 */
public final class RankRecovery {

  private static final Logger log = LoggerFactory.getLogger(RankRecovery.class);

  /** How long a lost rank waits for a replacement by default. */
  public static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);

  /** Waiting ranks looked at per admission round. */
  private static final int RANKS_PER_ROUND = 32;

  private final UUID instanceId;
  private final Duration wait;

  /**
   * @param wait how long a lost rank waits for an idle replacement; zero restarts the attempt at
   *     once, as without recovery
   */
  RankRecovery(UUID instanceId, Duration wait) {
    this.instanceId = instanceId;
    this.wait = wait;
  }

  /**
   * A prover is lost (its open tasks already LOST, the job locked): answers whether its rank now
   * waits for a replacement, else the caller restarts the attempt.
   */
  boolean lose(Tx tx, RunningJob job, String proverId, String reason, Effects effects) {
    if (wait.isZero()) {
      return false;
    }
    Optional<HeldRank> held = tx.ranks().heldRank(job.jobId(), job.attempt(), proverId);
    if (held.isEmpty() || !recomputable(held.get())) {
      return false;
    }
    HeldRank rank = held.get();
    if (rank.state() == TaskState.SUCCEEDED) {
      // Contributed, but the witness PROVE needs went with the prover.
      Rows.exactlyOne(
          tx.ranks().loseContribution(rank.taskId(), reason),
          "losing the contribution of task " + rank.taskId());
    }
    String detail =
        "rank %d (%d compute units) lost with prover %s in %s; waiting up to %d s for a replacement: %s"
            .formatted(
                rank.rankId(),
                rank.computeUnits(),
                proverId,
                rank.jobPhase(),
                wait.toSeconds(),
                reason);
    Rows.exactlyOne(
        tx.ranks()
            .recordLost(
                job.jobId(),
                job.attempt(),
                rank.rankId(),
                rank.computeUnits(),
                rank.jobPhase(),
                proverId,
                detail),
        "recording the lost rank " + rank.rankId() + " of job " + job.jobId());
    tx.provers().release(proverId, job.jobId());
    log.info("Job {}: {}", job.jobId(), detail);
    effects.admit();
    return true;
  }

  /** A rank whose work a replacement can redo: contribution or proof, not aggregation. */
  private static boolean recomputable(HeldRank rank) {
    return switch (rank.jobPhase()) {
      case PARTIAL_CONTRIBUTION ->
          rank.taskPhase() == Phase.PARTIAL_CONTRIBUTION
              && (lostOrTimedOut(rank) || rank.state() == TaskState.SUCCEEDED);
      // A SUCCEEDED PROVE task: the prover waits to aggregate; the attempt restarts.
      case PROVE -> lostOrTimedOut(rank);
      case AGGREGATE -> false;
    };
  }

  private static boolean lostOrTimedOut(HeldRank rank) {
    return rank.state() == TaskState.LOST || rank.state() == TaskState.TIMED_OUT;
  }

  /** Locks the waiting ranks of running jobs (skipping jobs another coordinator holds). */
  public List<WaitingRank> lockWaiting(Tx tx) {
    return tx.ranks().lockWaiting(wait.toMillis() / 1000.0, RANKS_PER_ROUND);
  }

  /**
   * Part of an admission round: gives each waiting rank the smallest idle prover that covers its
   * allocation (taking it out of {@code idle}), and restarts the attempts whose rank waited longer
   * than the bound.
   */
  public Effects replace(Tx tx, List<WaitingRank> waiting, List<IdleProver> idle) {
    Effects effects = Effects.none();
    Set<UUID> restarted = new HashSet<>();
    for (WaitingRank rank : waiting) {
      if (restarted.contains(rank.jobId())) {
        continue;
      }
      // The lost prover itself may take the rank only in a new session (it came back without the
      // job's state, and starts the rank from scratch like any other), never one still silent or
      // hung in its old session.
      Optional<IdleProver> chosen =
          idle.stream()
              .filter(p -> p.computeUnits() >= rank.computeUnits())
              .filter(p -> rank.lostProverRenewed() || !p.proverId().equals(rank.lostProverId()))
              .min(Comparator.comparingInt(IdleProver::computeUnits));
      if (chosen.isPresent()) {
        idle.remove(chosen.get());
        WrittenTask task =
            tx.ranks()
                .replace(rank.lostRankId(), rank.jobId(), chosen.get().proverId(), instanceId)
                .orElseThrow(
                    () ->
                        new IllegalStateException(
                            "replacing rank %d of job %s on locked prover %s changed nothing"
                                .formatted(rank.rankId(), rank.jobId(), chosen.get().proverId())));
        log.info(
            "Job {}: rank {} lost with prover {} is recomputed on {}",
            rank.jobId(),
            rank.rankId(),
            rank.lostProverId(),
            task.proverId());
        effects.written(List.of(task), null);
      } else if (rank.overdue()) {
        restarted.add(rank.jobId());
        AttemptEnd.fail(
            tx,
            new RunningJob(rank.jobId(), rank.attempt(), rank.maxAttempts()),
            rank.lostProverId(),
            AttemptFailure.PROVER_LOST,
            "rank %d lost with prover %s: no idle prover with %d compute units within %d s"
                .formatted(
                    rank.rankId(), rank.lostProverId(), rank.computeUnits(), wait.toSeconds()),
            effects);
      }
    }
    return effects;
  }

  /**
   * A replacement's contribution (a task with {@code replacement > 0}) is in. Answers false when it
   * is to count like any contribution (the lost prover had not contributed, or the job is still in
   * PARTIAL_CONTRIBUTION and it equals the one before); true when it was handled here: it differs
   * (the attempt restarts), or the job is proving and the replacement now proves the rank.
   */
  boolean recomputed(Tx tx, ReportedTask task, byte[] result, Effects effects) {
    Recheck recheck =
        tx.ranks().recheck(task.jobId(), task.attempt(), task.rankId(), task.taskId());
    if (recheck.earlier().isEmpty()) {
      return false;
    }
    if (!Arrays.equals(recheck.earlier().get(), result)) {
      String reason =
          "rank %d recomputed on prover %s differs from the contribution made before (are its contributions deterministic?)"
              .formatted(task.rankId(), task.proverId());
      Rows.exactlyOne(tx.tasks().fail(task.taskId(), reason), "failing task " + task.taskId());
      tx.ranks()
          .recordEvent(
              task.jobId(), task.attempt(), "RANK_DIFFERS", task.proverId(), task.taskId(), reason);
      RunningJob job = new RunningJob(task.jobId(), task.attempt(), task.jobMaxAttempts());
      AttemptEnd.fail(tx, job, null, AttemptFailure.PROVER_LOST, reason, effects);
      return true;
    }
    tx.ranks()
        .recordEvent(
            task.jobId(),
            task.attempt(),
            "RANK_RECOMPUTED",
            task.proverId(),
            task.taskId(),
            "rank " + task.rankId() + " recomputed: equal to the contribution made before");
    if (recheck.jobPhase() != Phase.PROVE) {
      return false;
    }
    // The job is proving: the replacement holds the rank's witness now and proves it with the
    // stored challenges (the Dispatcher reads them when it builds the request).
    Rows.exactlyOne(
        tx.tasks().succeed(task.taskId(), result), "recording the result of task " + task.taskId());
    WrittenTask prove =
        tx.ranks()
            .writeProve(task.taskId(), instanceId)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "prover "
                            + task.proverId()
                            + " is no longer reserved for "
                            + task.jobId()));
    log.info(
        "Job {}: rank {} recomputed on {} matches; it proves the rank now",
        task.jobId(),
        task.rankId(),
        task.proverId());
    effects.written(List.of(prove), null);
    return true;
  }
}
