package zisk.distributed.coordinator.scheduling;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import zisk.distributed.coordinator.lifecycle.Effects;
import zisk.distributed.coordinator.lifecycle.JobLifecycle;
import zisk.distributed.coordinator.lifecycle.LaunchOutcome;
import zisk.distributed.coordinator.store.JobDao.QueuedJob;
import zisk.distributed.coordinator.store.NewJob;
import zisk.distributed.coordinator.store.ProverDao.IdleForWork;
import zisk.distributed.coordinator.store.ProverDao.IdleProver;
import zisk.distributed.coordinator.store.RankDao.WaitingRank;
import zisk.distributed.coordinator.store.Tx;

/**
 * Starts queued jobs on idle provers. Only jobs that fit the idle capacity are read, oldest first,
 * so jobs larger than the cluster (or than what is idle now) never stand in front of one that fits:
 * a job that fits starts in the next round however many wait ahead of it, and a younger job that
 * fits may start before an older one that does not (backfill). Jobs and provers are claimed with
 * {@code FOR UPDATE SKIP LOCKED}, so coordinators running this at the same time never claim the
 * same job or prover. Quarantined provers are not idle for admission.
 */
public final class Admission {

  /**
   * Queued jobs read at a time, and at most one more than there are idle provers: each job takes at
   * least one, every job read stays locked until the round commits, and the one more tells a round
   * that starts all the others whether a job is left waiting. A round reads again while idle
   * provers and fitting jobs remain.
   */
  static final int JOBS_PER_BATCH = 32;

  private final JobLifecycle lifecycle;
  private final Duration proverLiveness;
  private final Duration instanceLiveness;
  private final Clock clock;

  /**
   * Whether the last round left queued jobs it could not start for want of idle provers. A launch
   * then leaves its job to the round after its commit instead of reading the provers again under
   * its own transaction: on a busy cluster that read finds nothing, and holds idle provers' rows
   * locked while it looks.
   */
  private volatile boolean jobsLeftWaiting;

  /**
   * @param proverLiveness how recently an idle prover's acknowledgement must have been written
   * @param instanceLiveness how recently the coordinator holding its stream must have heartbeated
   * @param clock what quarantine times are compared with
   */
  public Admission(
      JobLifecycle lifecycle, Duration proverLiveness, Duration instanceLiveness, Clock clock) {
    this.lifecycle = lifecycle;
    this.proverLiveness = proverLiveness;
    this.instanceLiveness = instanceLiveness;
    this.clock = clock;
  }

  public Admission(JobLifecycle lifecycle, Duration proverLiveness, Duration instanceLiveness) {
    this(lifecycle, proverLiveness, instanceLiveness, Clock.systemUTC());
  }

  /** A launch, and the effects of the admission round that ran in its transaction. */
  public record Launched(LaunchOutcome outcome, Effects effects) {}

  /**
   * Launches a job and runs an admission round in the same transaction, so a job that fits idle
   * provers starts with the launch's commit instead of one more. If the job did not start, it asks
   * for another round after the commit: this one may have skipped provers a concurrent round held,
   * and that round did not see this job yet. While jobs are left waiting ({@link #jobsLeftWaiting})
   * the launch leaves its job to that round without a round of its own.
   */
  public Launched launch(Tx tx, NewJob job, int maxQueued) {
    LaunchOutcome outcome = lifecycle.launch(tx, job, maxQueued);
    if (!(outcome instanceof LaunchOutcome.Created created)) {
      return new Launched(outcome, Effects.none());
    }
    if (jobsLeftWaiting) {
      return new Launched(outcome, Effects.none().job(Effects.JobEvent.LAUNCHED).admit());
    }
    Set<UUID> started = new HashSet<>();
    Effects effects = admit(tx, true, started).job(Effects.JobEvent.LAUNCHED);
    if (!started.contains(created.jobId())) {
      effects.admit();
    }
    return new Launched(outcome, effects);
  }

  /**
   * One admission round, inside the caller's transaction; answers what the started attempts need
   * sent.
   */
  public Effects admit(Tx tx) {
    return admit(tx, false, new HashSet<>());
  }

  /**
   * @param jobQueued a job is known to be queued (one was just launched)
   * @param started gets the ids of the jobs this round started
   */
  private Effects admit(Tx tx, boolean jobQueued, Set<UUID> started) {
    Effects effects = Effects.none();
    // One statement looks for waiting work and locks the idle provers only if there is some: most
    // rounds find no lost rank, and many no job. Provers are read before jobs, to read only the
    // jobs that fit them. Every claim skips locked rows, so admission never waits on a lock and
    // cannot deadlock with job-first transitions. Only provers that can be reached: their
    // coordinator is alive and they answered recently. A prover whose coordinator just died still
    // reads IDLE until the sweep settles it.
    IdleForWork look =
        tx.provers()
            .lockIdleForWork(
                seconds(proverLiveness), seconds(instanceLiveness), clock.instant(), jobQueued);
    List<WaitingRank> lostRanks =
        look.ranksWaiting() ? lifecycle.ranks().lockWaiting(tx) : List.of();
    if (lostRanks.isEmpty() && !jobQueued && !look.jobsQueued()) {
      jobsLeftWaiting = false;
      return effects; // the usual idle poll
    }
    List<IdleProver> idle = new ArrayList<>(look.idle());
    // Running jobs' lost ranks first: the rest of their provers wait on them.
    effects.merge(lifecycle.ranks().replace(tx, lostRanks, idle));
    long idleUnits = units(idle);
    // Left waiting: a job read and skipped, a full batch, or nothing started from a known queue.
    // Jobs larger than every idle unit are never read, so a round that starts all it reads cannot
    // tell whether they wait; it says no, and the next launch looks for itself.
    boolean leftWaiting = false;
    while (idleUnits > 0) {
      // Every job read fits what was idle then, so the first one of each batch starts: the loop
      // ends. A job skipped in this batch no longer fits and is not read again (idle only shrinks).
      int limit = Math.min(JOBS_PER_BATCH, idle.size() + 1);
      List<QueuedJob> batch = tx.jobs().lockQueued(idleUnits, limit);
      for (QueuedJob job : batch) {
        List<IdleProver> chosen = choose(idle, job.computeCapacity());
        if (chosen == null) {
          leftWaiting = true;
          continue; // fits no longer; JobStatus tells why from the cluster's live counts
        }
        idle.removeAll(chosen);
        idleUnits = units(idle);
        effects.merge(
            lifecycle.start(
                tx,
                job,
                chosen.stream().map(IdleProver::proverId).toList(),
                allocation(chosen, job.computeCapacity())));
        started.add(job.jobId());
      }
      if (batch.size() < limit) {
        break;
      }
      leftWaiting |= idleUnits == 0; // a full batch took every idle unit: more may wait behind it
    }
    jobsLeftWaiting = leftWaiting || (started.isEmpty() && (jobQueued || lostRanks.isEmpty()));
    return effects;
  }

  private static long units(List<IdleProver> provers) {
    return provers.stream().mapToLong(IdleProver::computeUnits).sum();
  }

  /** Largest provers first until their units cover the request; null when the idle ones cannot. */
  private static List<IdleProver> choose(List<IdleProver> idle, int capacity) {
    List<IdleProver> chosen = new ArrayList<>();
    long covered = 0;
    for (IdleProver prover : idle) {
      if (covered >= capacity) {
        break;
      }
      chosen.add(prover);
      covered += prover.computeUnits();
    }
    return covered >= capacity ? chosen : null;
  }

  /**
   * Each rank's share is its units, except that the last rank only gets what is still needed, so
   * the allocation adds up to exactly the requested capacity.
   */
  private static List<Integer> allocation(List<IdleProver> provers, int capacity) {
    List<Integer> allocation = new ArrayList<>();
    int remaining = capacity;
    for (IdleProver prover : provers) {
      int share = Math.min(prover.computeUnits(), remaining);
      allocation.add(share);
      remaining -= share;
    }
    return allocation;
  }

  private static double seconds(Duration duration) {
    return duration.toMillis() / 1000.0;
  }
}
