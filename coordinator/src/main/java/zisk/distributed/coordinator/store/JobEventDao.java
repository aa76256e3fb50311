package zisk.distributed.coordinator.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Reads a job's history ({@code job_events}) for WatchJob, with what a reader needs to know which
 * ids may still appear (V11__job_event_notifications.sql): the sequence's value, read before, and
 * the running transactions of the snapshot the events were read in; and records which jobs a
 * coordinator watches ({@code job_watches}), the only ones whose events notify (V13).
 */
public final class JobEventDao {

  private final Connection connection;

  JobEventDao(Connection connection) {
    this.connection = connection;
  }

  /** One row of job_events. */
  public record Event(
      long eventId,
      UUID jobId,
      String kind,
      Instant at,
      String state,
      String phase,
      int attempt,
      String proverId,
      UUID taskId,
      String detail) {}

  /**
   * Events read in one snapshot.
   *
   * @param xmin the oldest transaction still running then (equal to xmax when none ran)
   * @param xmax the first transaction id not yet given out then
   * @param jobState the job's state in that snapshot; null when the job does not exist
   * @param events the job's events after the asked id, in id order
   */
  public record Snapshot(long xmin, long xmax, String jobState, List<Event> events) {
    /** No transaction was running: nothing invisible now can ever appear with a smaller id. */
    public boolean quiet() {
      return xmin == xmax;
    }
  }

  private static final Sql SEQUENCE =
      Sql.of(
          """
      SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM job_events_event_id_seq
      """);

  /** The largest event id given out so far (by any transaction, committed or not). */
  public long sequenceValue() {
    return SEQUENCE.on(connection).one(row -> row.getLong(1));
  }

  /** One statement, so the events, the job's state and the running transactions agree. */
  private static final Sql AFTER =
      Sql.of(
          """
      SELECT pg_snapshot_xmin(s.snap)::text AS xmin, pg_snapshot_xmax(s.snap)::text AS xmax,
             (SELECT state FROM jobs WHERE job_id = :jobId) AS job_state,
             e.event_id, e.job_id, e.event, e.at, e.state, e.phase, e.attempt, e.prover_id,
             e.task_id, e.detail
      FROM (SELECT pg_current_snapshot() AS snap) s
      LEFT JOIN LATERAL (
          SELECT * FROM job_events WHERE job_id = :jobId AND event_id > :after
          ORDER BY event_id LIMIT :limit) e ON true
      ORDER BY e.event_id
      """);

  public Snapshot after(UUID jobId, long afterId, int limit) {
    List<Event> events = new ArrayList<>();
    long[] xids = new long[2];
    String[] state = new String[1];
    AFTER
        .on(connection)
        .bind("jobId", jobId)
        .bind("after", afterId)
        .bind("limit", limit)
        .list(
            row -> {
              xids[0] = Long.parseLong(row.getString("xmin"));
              xids[1] = Long.parseLong(row.getString("xmax"));
              state[0] = row.getString("job_state");
              if (row.getObject("event_id") != null) {
                events.add(event(row));
              }
              return Boolean.TRUE;
            });
    return new Snapshot(xids[0], xids[1], state[0], List.copyOf(events));
  }

  private static final Sql BETWEEN =
      Sql.of(
          """
      SELECT event_id, job_id, event, at, state, phase, attempt, prover_id, task_id, detail
      FROM job_events WHERE job_id = :jobId AND event_id > :after AND event_id <= :upTo
      ORDER BY event_id LIMIT :limit
      """);

  /** The job's events with ids in (afterId, upTo], in id order; at most {@code limit}. */
  public List<Event> between(UUID jobId, long afterId, long upTo, int limit) {
    return BETWEEN
        .on(connection)
        .bind("jobId", jobId)
        .bind("after", afterId)
        .bind("upTo", upTo)
        .bind("limit", limit)
        .list(JobEventDao::event);
  }

  private static final Sql LAST =
      Sql.of(
          """
      SELECT coalesce(max(event_id), 0) FROM job_events WHERE job_id = :jobId AND event_id <= :upTo
      """);

  /** The job's largest event id up to {@code upTo}; 0 when none. */
  public long lastEventId(UUID jobId, long upTo) {
    return LAST.on(connection).bind("jobId", jobId).bind("upTo", upTo).one(row -> row.getLong(1));
  }

  private static Event event(ResultSet row) throws SQLException {
    return new Event(
        row.getLong("event_id"),
        row.getObject("job_id", UUID.class),
        row.getString("event"),
        row.getTimestamp("at").toInstant(),
        row.getString("state"),
        row.getString("phase"),
        row.getInt("attempt"),
        row.getString("prover_id"),
        row.getObject("task_id", UUID.class),
        row.getString("detail"));
  }

  /**
   * This coordinator follows the job's events: their writes notify it (V13). Nothing when its
   * instance row is gone (pruned): it then reads the job by its poll alone.
   */
  private static final Sql WATCH =
      Sql.of(
          """
      INSERT INTO job_watches (job_id, instance_id)
      SELECT :jobId, instance_id FROM coordinator_instances WHERE instance_id = :instanceId
      ON CONFLICT DO NOTHING
      """);

  public int watch(UUID jobId, UUID instanceId) {
    return WATCH.on(connection).bind("jobId", jobId).bind("instanceId", instanceId).update();
  }

  private static final Sql UNWATCH =
      Sql.of("DELETE FROM job_watches WHERE job_id = :jobId AND instance_id = :instanceId");

  public int unwatch(UUID jobId, UUID instanceId) {
    return UNWATCH.on(connection).bind("jobId", jobId).bind("instanceId", instanceId).update();
  }

  private static final Sql UNWATCH_ALL =
      Sql.of("DELETE FROM job_watches WHERE instance_id = :instanceId");

  /** Forgets every watch of the coordinator (it stops). */
  public int unwatchAll(UUID instanceId) {
    return UNWATCH_ALL.on(connection).bind("instanceId", instanceId).update();
  }
}
