package zisk.distributed.reliability;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.postgres.PostgresPlugin;

/**
 * The suite's read-only view of the shared database, to find where work runs (which prover, on
 * which coordinator) and to check outcomes, over a small pool that fails fast while PostgreSQL is
 * down and reconnects by itself once it is back.
 */
final class ClusterDatabase {

  /** A task a prover is running now, and the coordinator (by port) holding that prover's stream. */
  record RunningTask(UUID taskId, UUID jobId, String proverId, String phase, int coordinatorPort) {}

  /** A prover's row. */
  record ProverRow(
      String proverId, String state, UUID instanceId, long sessionEpoch, UUID currentJobId) {
    boolean connected() {
      return instanceId != null && !"DISCONNECTED".equals(state);
    }
  }

  /** A job's row, without its proof. */
  record JobRow(
      UUID jobId,
      String state,
      String phase,
      int attempt,
      int infraFailures,
      int taskFailures,
      Instant finishedAt,
      String errorMessage) {}

  private final HikariDataSource pool;
  private final Jdbi jdbi;

  ClusterDatabase(String jdbcUrl) {
    HikariConfig config = new HikariConfig();
    config.setPoolName("fault-suite");
    config.setJdbcUrl(jdbcUrl);
    config.setMaximumPoolSize(2);
    config.setMinimumIdle(0);
    config.setConnectionTimeout(2_000);
    // Start even while PostgreSQL is down; a query then fails after the timeout, and a later one
    // works again.
    config.setInitializationFailTimeout(-1);
    this.pool = new HikariDataSource(config);
    this.jdbi = Jdbi.create(pool).installPlugin(new PostgresPlugin());
  }

  void close() {
    pool.close();
  }

  Jdbi jdbi() {
    return jdbi;
  }

  /**
   * A DISPATCHED task of {@code phase} in one of {@code jobs}, in the job's running attempt and
   * current phase, sent less than {@code dispatchedWithin} ago (so that it is surely still
   * running), whose prover's stream is held by a coordinator; the oldest first.
   */
  Optional<RunningTask> runningTask(
      Collection<UUID> jobs, String phase, java.time.Duration dispatchedWithin) {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery(
                    """
            SELECT t.task_id, t.job_id, t.prover_id, t.task_type, i.address
            FROM tasks t
            JOIN jobs j ON j.job_id = t.job_id AND j.attempt = t.attempt AND j.state = 'RUNNING' AND j.phase = t.task_type
            JOIN provers p ON p.prover_id = t.prover_id AND p.current_job_id = t.job_id
            JOIN coordinator_instances i ON i.instance_id = p.instance_id
            WHERE t.state = 'DISPATCHED' AND t.task_type = :phase AND t.job_id IN (<jobs>)
              AND t.dispatched_at > clock_timestamp() - make_interval(secs => :within)
            ORDER BY t.dispatched_at
            LIMIT 1
            """)
                .bind("phase", phase)
                .bindList("jobs", List.copyOf(jobs))
                .bind("within", dispatchedWithin.toMillis() / 1000.0)
                .map(
                    (rs, ctx) ->
                        new RunningTask(
                            rs.getObject("task_id", UUID.class),
                            rs.getObject("job_id", UUID.class),
                            rs.getString("prover_id"),
                            rs.getString("task_type"),
                            portOf(rs.getString("address"))))
                .findOne());
  }

  /** The port a coordinator instance serves on. */
  int instancePort(UUID instanceId) {
    return portOf(
        jdbi.withHandle(
            handle ->
                handle
                    .createQuery(
                        "SELECT address FROM coordinator_instances WHERE instance_id = :id")
                    .bind("id", instanceId)
                    .mapTo(String.class)
                    .one()));
  }

  /** The task's state now. */
  String taskState(UUID taskId) {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery("SELECT state FROM tasks WHERE task_id = :id")
                .bind("id", taskId)
                .mapTo(String.class)
                .one());
  }

  Map<String, ProverRow> provers() {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery(
                    """
            SELECT prover_id, state, instance_id, session_epoch, current_job_id FROM provers
            """)
                .map(
                    (rs, ctx) ->
                        new ProverRow(
                            rs.getString("prover_id"),
                            rs.getString("state"),
                            rs.getObject("instance_id", UUID.class),
                            rs.getLong("session_epoch"),
                            rs.getObject("current_job_id", UUID.class)))
                .list()
                .stream()
                .collect(Collectors.toMap(ProverRow::proverId, row -> row)));
  }

  Map<UUID, JobRow> jobs(Collection<UUID> jobIds) {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery(
                    """
            SELECT job_id, state, phase, attempt, infra_failures, task_failures, finished_at, error_message
            FROM jobs WHERE job_id IN (<ids>)
            """)
                .bindList("ids", List.copyOf(jobIds))
                .map(
                    (rs, ctx) ->
                        new JobRow(
                            rs.getObject("job_id", UUID.class),
                            rs.getString("state"),
                            rs.getString("phase"),
                            rs.getInt("attempt"),
                            rs.getInt("infra_failures"),
                            rs.getInt("task_failures"),
                            rs.getObject("finished_at", java.time.OffsetDateTime.class) == null
                                ? null
                                : rs.getObject("finished_at", java.time.OffsetDateTime.class)
                                    .toInstant(),
                            rs.getString("error_message")))
                .list()
                .stream()
                .collect(Collectors.toMap(JobRow::jobId, row -> row)));
  }

  /** Whether the job's event history has an event of this kind (REQUEUED, PROVER_LOST, ...). */
  boolean hasEvent(UUID jobId, String event) {
    return jdbi.withHandle(
            handle ->
                handle
                    .createQuery(
                        """
            SELECT count(*) FROM job_events WHERE job_id = :jobId AND event = :event
            """)
                    .bind("jobId", jobId)
                    .bind("event", event)
                    .mapTo(Integer.class)
                    .one())
        > 0;
  }

  /** Jobs not yet finished, across the whole database (a failed scenario's leftovers). */
  List<UUID> activeJobs() {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery("SELECT job_id FROM jobs WHERE state IN ('QUEUED', 'RUNNING')")
                .mapTo(UUID.class)
                .list());
  }

  /** A job's history, for failure messages. */
  String timeline(UUID jobId) {
    return jdbi
        .withHandle(
            handle ->
                handle
                    .createQuery(
                        """
            SELECT to_char(at, 'HH24:MI:SS.MS') || ' ' || event || coalesce(' ' || phase, '') || ' attempt '
                   || coalesce(attempt::text, '-') || coalesce(' ' || prover_id, '') || coalesce(': ' || detail, '')
            FROM job_events WHERE job_id = :jobId ORDER BY event_id
            """)
                    .bind("jobId", jobId)
                    .mapTo(String.class)
                    .list())
        .stream()
        .collect(Collectors.joining("\n    ", "\n    ", ""));
  }

  private static int portOf(String address) {
    return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
  }
}
