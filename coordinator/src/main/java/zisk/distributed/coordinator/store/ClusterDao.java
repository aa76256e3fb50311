package zisk.distributed.coordinator.store;

import java.sql.Connection;
import java.time.Instant;
import java.util.List;

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

  /**
   * One row of {@link #snapshot}: {@code kind} is jobs (by state and phase), queue (count and the
   * oldest QUEUED job's age in seconds), provers (by state) or quarantined.
   */
  public record SnapshotRow(String kind, String state, String phase, long count, double seconds) {}

  /**
   * The cluster-wide gauges of the metrics endpoint in one statement, read every few seconds by
   * each coordinator (not per scrape). Only active jobs are counted by state: finished jobs are
   * counted by the coordinators' event counters, and counting them here would scan the history.
   */
  private static final Sql SNAPSHOT =
      Sql.of(
          """
      SELECT 'jobs' AS kind, state, coalesce(phase, 'NONE') AS phase, count(*) AS n, 0 AS seconds
      FROM jobs WHERE state IN ('QUEUED', 'RUNNING') GROUP BY state, phase
      UNION ALL
      SELECT 'queue', 'QUEUED', '', count(*),
             coalesce(extract(epoch FROM clock_timestamp() - min(created_at)), 0)
      FROM jobs WHERE state = 'QUEUED'
      UNION ALL
      SELECT 'provers', state, '', count(*), 0 FROM provers GROUP BY state
      UNION ALL
      SELECT 'quarantined', '', '', count(*), 0
      FROM provers WHERE state <> 'DISCONNECTED' AND held_until > :now
      """);

  /**
   * @param now the coordinator's clock, which quarantine times are written by
   */
  public List<SnapshotRow> snapshot(Instant now) {
    return SNAPSHOT
        .on(connection)
        .bind("now", now)
        .list(
            row ->
                new SnapshotRow(
                    row.getString("kind"),
                    row.getString("state"),
                    row.getString("phase"),
                    row.getLong("n"),
                    row.getDouble("seconds")));
  }
}
