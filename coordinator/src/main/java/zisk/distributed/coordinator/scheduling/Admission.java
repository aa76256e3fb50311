package zisk.distributed.coordinator.scheduling;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import zisk.distributed.coordinator.lifecycle.Effects;
import zisk.distributed.coordinator.lifecycle.JobLifecycle;
import zisk.distributed.coordinator.store.JobDao.QueuedJob;
import zisk.distributed.coordinator.store.ProverDao.IdleProver;
import zisk.distributed.coordinator.store.RankDao.WaitingRank;
import zisk.distributed.coordinator.store.Tx;

/**
 * Starts queued jobs on idle provers. Jobs are taken oldest first and provers claimed with {@code
 * FOR UPDATE SKIP LOCKED}, so coordinators running this at the same time never claim the same job
 * or prover. A job that does not fit the idle capacity stays QUEUED (JobStatus says why), and a
 * younger job that fits may start before it (backfill), so one large job cannot stall the queue.
 */
public final class Admission {

  /** Queued jobs looked at per round; the rest wait for the next round. */
  static final int JOBS_PER_ROUND = 32;

  private final JobLifecycle lifecycle;
  private final Duration proverLiveness;
  private final Duration instanceLiveness;

  /**
   * @param proverLiveness how recently an idle prover's acknowledgement must have been written
   * @param instanceLiveness how recently the coordinator holding its stream must have heartbeated
   */
  public Admission(JobLifecycle lifecycle, Duration proverLiveness, Duration instanceLiveness) {
    this.lifecycle = lifecycle;
    this.proverLiveness = proverLiveness;
    this.instanceLiveness = instanceLiveness;
  }

  /**
   * One admission round, inside the caller's transaction; answers what the started attempts need
   * sent.
   */
  public Effects admit(Tx tx) {
    Effects effects = Effects.none();
    List<WaitingRank> lostRanks = lifecycle.ranks().lockWaiting(tx);
    List<QueuedJob> queued = tx.jobs().lockQueued(JOBS_PER_ROUND);
    if (queued.isEmpty() && lostRanks.isEmpty()) {
      return effects;
    }
    // Only provers that can be reached: their coordinator is alive and they answered recently. A
    // prover whose coordinator just died still reads IDLE until the sweep settles it.
    List<IdleProver> idle =
        new ArrayList<>(tx.provers().lockIdle(seconds(proverLiveness), seconds(instanceLiveness)));
    // Running jobs' lost ranks first: the rest of their provers wait on them.
    effects.merge(lifecycle.ranks().replace(tx, lostRanks, idle));
    for (QueuedJob job : queued) {
      if (idle.isEmpty()) {
        break;
      }
      // A job that does not fit stays QUEUED; JobStatus tells why from the cluster's live counts.
      List<IdleProver> chosen = choose(idle, job.computeCapacity());
      if (chosen == null) {
        continue;
      }
      idle.removeAll(chosen);
      effects.merge(
          lifecycle.start(
              tx,
              job,
              chosen.stream().map(IdleProver::proverId).toList(),
              allocation(chosen, job.computeCapacity())));
    }
    return effects;
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
