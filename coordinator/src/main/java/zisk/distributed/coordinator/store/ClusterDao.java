package zisk.distributed.coordinator.store;

import java.sql.Connection;
import java.time.Instant;

/** Cluster-wide counts read from the shared database. */
public final class ClusterDao {

  private final Connection connection;

  ClusterDao(Connection connection) {
    this.connection = connection;
  }

  /** Counts for SystemStatus and for explaining why a job waits. */
  public record ClusterCounts(
      int totalProvers,
      long computeCapacity,
      int idleProvers,
      int busyProvers,
      int quarantinedProvers,
      long idleComputeUnits,
      int activeJobs,
      int queuedJobs,
      int liveCoordinators) {}

  /**
   * @param livenessSeconds how recently a coordinator must have heartbeated to count as live
   */
  private static final Sql COUNTS =
      Sql.of(
          """
      SELECT count(*) FILTER (WHERE p.state <> 'DISCONNECTED')                  AS total_provers,
             coalesce(sum(p.compute_units) FILTER (WHERE p.state <> 'DISCONNECTED'), 0) AS compute_capacity,
             count(*) FILTER (WHERE p.state = 'IDLE' AND NOT held)              AS idle_provers,
             count(*) FILTER (WHERE p.state = 'BUSY')                           AS busy_provers,
             count(*) FILTER (WHERE p.state <> 'DISCONNECTED' AND held)         AS quarantined_provers,
             coalesce(sum(p.compute_units) FILTER (WHERE p.state = 'IDLE' AND NOT held), 0) AS idle_compute_units,
             (SELECT count(*) FROM jobs WHERE state IN ('QUEUED', 'RUNNING'))   AS active_jobs,
             (SELECT count(*) FROM jobs WHERE state = 'QUEUED')                 AS queued_jobs,
             (SELECT count(*) FROM coordinator_instances
              WHERE stopped_at IS NULL
                AND last_seen_at > now() - make_interval(secs => :livenessSeconds)) AS live_coordinators
      FROM provers p, LATERAL (SELECT coalesce(p.held_until > :now, false) AS held) h
      """);

  /**
   * @param now the coordinator's clock, which quarantine times are written by
   */
  public ClusterCounts counts(double livenessSeconds, Instant now) {
    return COUNTS
        .on(connection)
        .bind("now", now)
        .bind("livenessSeconds", livenessSeconds)
        .one(
            row ->
                new ClusterCounts(
                    row.getInt("total_provers"),
                    row.getLong("compute_capacity"),
                    row.getInt("idle_provers"),
                    row.getInt("busy_provers"),
                    row.getInt("quarantined_provers"),
                    row.getLong("idle_compute_units"),
                    row.getInt("active_jobs"),
                    row.getInt("queued_jobs"),
                    row.getInt("live_coordinators")));
  }
}
