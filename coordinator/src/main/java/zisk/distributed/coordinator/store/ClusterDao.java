package zisk.distributed.coordinator.store;

import org.jdbi.v3.sqlobject.statement.SqlQuery;

/** Cluster-wide counts read from the shared database. */
public interface ClusterDao {

  /** Counts for SystemStatus and for explaining why a job waits. */
  record ClusterCounts(
      int totalProvers,
      long computeCapacity,
      int idleProvers,
      int busyProvers,
      long idleComputeUnits,
      int activeJobs,
      int queuedJobs,
      int liveCoordinators) {}

  /** @param livenessSeconds how recently a coordinator must have heartbeated to count as live */
  @SqlQuery("""
      SELECT count(*) FILTER (WHERE p.state <> 'DISCONNECTED')                  AS total_provers,
             coalesce(sum(p.compute_units) FILTER (WHERE p.state <> 'DISCONNECTED'), 0) AS compute_capacity,
             count(*) FILTER (WHERE p.state = 'IDLE')                           AS idle_provers,
             count(*) FILTER (WHERE p.state = 'BUSY')                           AS busy_provers,
             coalesce(sum(p.compute_units) FILTER (WHERE p.state = 'IDLE'), 0)  AS idle_compute_units,
             (SELECT count(*) FROM jobs WHERE state IN ('QUEUED', 'RUNNING'))   AS active_jobs,
             (SELECT count(*) FROM jobs WHERE state = 'QUEUED')                 AS queued_jobs,
             (SELECT count(*) FROM coordinator_instances
              WHERE stopped_at IS NULL
                AND last_seen_at > now() - make_interval(secs => :livenessSeconds)) AS live_coordinators
      FROM provers p
      """)
  ClusterCounts counts(double livenessSeconds);
}
