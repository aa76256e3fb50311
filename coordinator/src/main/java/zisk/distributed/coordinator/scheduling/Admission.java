package zisk.distributed.coordinator.scheduling;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.api.v1.ContributionParams;
import zisk.distributed.coordinator.store.JobEvents;
import zisk.distributed.coordinator.store.JobState;
import zisk.distributed.coordinator.store.Phase;

/**
 * Starts queued jobs on idle provers. Jobs are taken oldest first and provers claimed with
 * {@code FOR UPDATE SKIP LOCKED}, so coordinators running this at the same time never claim the
 * same job or prover. A job that does not fit the idle capacity stays QUEUED with a reason, and a
 * younger job that fits may start before it (backfill), so one large job cannot stall the queue.
 */
public final class Admission {

  private static final Logger log = LoggerFactory.getLogger(Admission.class);
  /** Queued jobs looked at per round; the rest wait for the next round. */
  static final int JOBS_PER_ROUND = 32;

  private record QueuedJob(UUID jobId, String blockId, String inputPath, int computeCapacity, int attempt) {}

  private record IdleProver(String proverId, int computeUnits) {}

  private final Jdbi jdbi;
  private final Duration proverLiveness;
  private final Duration instanceLiveness;

  /**
   * @param proverLiveness how recently an idle prover's acknowledgement must have been written
   * @param instanceLiveness how recently the coordinator holding its stream must have heartbeated
   */
  public Admission(Jdbi jdbi, Duration proverLiveness, Duration instanceLiveness) {
    this.jdbi = jdbi;
    this.proverLiveness = proverLiveness;
    this.instanceLiveness = instanceLiveness;
  }

  /** One admission round in one transaction; answers the provers that now have tasks to receive. */
  public Effects admitQueuedJobs() {
    return jdbi.inTransaction(handle -> {
      Effects effects = Effects.none();
      List<QueuedJob> queued = handle.createQuery("""
              SELECT job_id, block_id, input_path, compute_capacity, attempt FROM jobs
              WHERE state = 'QUEUED'
              ORDER BY created_at, job_id
              LIMIT :limit
              FOR UPDATE SKIP LOCKED
              """)
          .bind("limit", JOBS_PER_ROUND)
          .map((rs, ctx) -> new QueuedJob(rs.getObject("job_id", UUID.class), rs.getString("block_id"),
              rs.getString("input_path"), rs.getInt("compute_capacity"), rs.getInt("attempt")))
          .list();
      if (queued.isEmpty()) {
        return effects;
      }
      // Only provers that can be reached: their coordinator is alive and they answered recently. A
      // prover whose coordinator just died still reads IDLE until the sweep settles it.
      List<IdleProver> idle = new ArrayList<>(handle.createQuery("""
              SELECT p.prover_id, p.compute_units
              FROM provers p JOIN coordinator_instances i ON i.instance_id = p.instance_id
              WHERE p.state = 'IDLE'
                AND p.last_heartbeat_at > now() - make_interval(secs => :proverLiveness)
                AND i.stopped_at IS NULL AND i.last_seen_at > now() - make_interval(secs => :instanceLiveness)
              ORDER BY p.compute_units DESC, p.prover_id
              FOR UPDATE OF p SKIP LOCKED
              """)
          .bind("proverLiveness", proverLiveness.toMillis() / 1000.0)
          .bind("instanceLiveness", instanceLiveness.toMillis() / 1000.0)
          .map((rs, ctx) -> new IdleProver(rs.getString("prover_id"), rs.getInt("compute_units")))
          .list());
      long idleUnits = idle.stream().mapToLong(IdleProver::computeUnits).sum();
      for (QueuedJob job : queued) {
        List<IdleProver> chosen = choose(idle, job.computeCapacity());
        if (chosen == null) {
          note(handle, job, "waiting for idle provers: needs " + job.computeCapacity() + " compute units, "
              + idleUnits + " idle");
          continue;
        }
        idle.removeAll(chosen);
        idleUnits -= chosen.stream().mapToLong(IdleProver::computeUnits).sum();
        start(handle, job, chosen);
        chosen.forEach(prover -> effects.dispatch(prover.proverId()));
      }
      return effects;
    });
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

  private static void start(Handle handle, QueuedJob job, List<IdleProver> provers) {
    int attempt = job.attempt() + 1;
    // Each rank's share is its units, except that the last rank only gets what is still needed,
    // so the allocation adds up to exactly the requested capacity.
    List<Integer> allocation = new ArrayList<>();
    int remaining = job.computeCapacity();
    for (IdleProver prover : provers) {
      int share = Math.min(prover.computeUnits(), remaining);
      allocation.add(share);
      remaining -= share;
    }
    for (int rank = 0; rank < provers.size(); rank++) {
      ContributionParams params = ContributionParams.newBuilder()
          .setBlockId(job.blockId())
          .setInputPath(job.inputPath())
          .setRankId(rank)
          .setTotalProvers(provers.size())
          .addAllProverAllocation(allocation)
          .setJobComputeUnits(job.computeCapacity())
          .build();
      handle.createUpdate("""
              INSERT INTO tasks (job_id, attempt, task_type, rank_id, prover_id, compute_units, params)
              VALUES (:jobId, :attempt, 'PARTIAL_CONTRIBUTION', :rank, :proverId, :units, :params)
              """)
          .bind("jobId", job.jobId()).bind("attempt", attempt).bind("rank", rank)
          .bind("proverId", provers.get(rank).proverId()).bind("units", allocation.get(rank))
          .bind("params", params.toByteArray())
          .execute();
    }
    handle.createUpdate("UPDATE provers SET state = 'BUSY', current_job_id = :jobId WHERE prover_id IN (<ids>)")
        .bind("jobId", job.jobId())
        .bindList("ids", provers.stream().map(IdleProver::proverId).toList())
        .execute();
    handle.createUpdate("""
            UPDATE jobs SET state = 'RUNNING', phase = 'PARTIAL_CONTRIBUTION', attempt = :attempt, started_at = now(),
                            waiting_reason = NULL, updated_at = now()
            WHERE job_id = :jobId
            """)
        .bind("attempt", attempt).bind("jobId", job.jobId()).execute();
    String names = String.join(", ", provers.stream().map(IdleProver::proverId).toList());
    JobEvents.record(handle, job.jobId(), "STARTED", JobState.RUNNING, Phase.PARTIAL_CONTRIBUTION, attempt, null, null,
        "attempt " + attempt + " on " + provers.size() + " prover(s): " + names + "; allocation " + allocation);
    log.info("Job {} started (attempt {}) on {} with allocation {}", job.jobId(), attempt, names, allocation);
  }

  private static void note(Handle handle, QueuedJob job, String reason) {
    handle.createUpdate("""
            UPDATE jobs SET waiting_reason = :reason WHERE job_id = :jobId AND waiting_reason IS DISTINCT FROM :reason
            """)
        .bind("reason", reason).bind("jobId", job.jobId()).execute();
  }
}
