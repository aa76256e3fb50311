package zisk.distributed.coordinator.store;

import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The SQL of {@code provers}: registration, streams that end, liveness, admission's claim, and
 * release from a job. A prover row names the coordinator holding its stream ({@code instance_id})
 * and the job it works for ({@code current_job_id}, set exactly while BUSY).
 */
public final class ProverDao {

  private final Connection connection;

  ProverDao(Connection connection) {
    this.connection = connection;
  }

  /** A prover row locked for registration, with the liveness facts the decision needs. */
  public record RegistrationRow(
      UUID instanceId,
      UUID currentJobId,
      long sessionEpoch,
      boolean heardRecently,
      boolean holderAlive) {}

  /** An IDLE prover admission may claim. */
  public record IdleProver(String proverId, int computeUnits) {}

  /** A prover let go of a job, with its latest task of the job (named in its JobCancelled). */
  public record ReleasedProver(String proverId, UUID lastTaskId) {}

  /**
   * Locks the prover's job row first (the lock order of every transition: job, then prover) and
   * answers the job it works for.
   */
  private static final Sql LOCK_JOB_OF =
      Sql.of(
          """
      SELECT j.job_id FROM jobs j JOIN provers p ON p.current_job_id = j.job_id
      WHERE p.prover_id = :proverId FOR UPDATE OF j
      """);

  public Optional<UUID> lockJobOf(String proverId) {
    return LOCK_JOB_OF
        .on(connection)
        .bind("proverId", proverId)
        .optional(row -> Sql.uuid(row, "job_id"));
  }

  private static final Sql LOCK_FOR_REGISTRATION =
      Sql.of(
          """
      SELECT p.instance_id, p.current_job_id, p.session_epoch,
             p.last_heartbeat_at > now() - make_interval(secs => :livenessSeconds) AS heard_recently,
             coalesce(i.stopped_at IS NULL AND i.last_seen_at > now() - make_interval(secs => :livenessSeconds), false)
               AS holder_alive
      FROM provers p LEFT JOIN coordinator_instances i ON i.instance_id = p.instance_id
      WHERE p.prover_id = :proverId
      FOR UPDATE OF p
      """);

  public Optional<RegistrationRow> lockForRegistration(String proverId, double livenessSeconds) {
    return LOCK_FOR_REGISTRATION
        .on(connection)
        .bind("proverId", proverId)
        .bind("livenessSeconds", livenessSeconds)
        .optional(
            row ->
                new RegistrationRow(
                    Sql.uuid(row, "instance_id"),
                    Sql.uuid(row, "current_job_id"),
                    row.getLong("session_epoch"),
                    row.getBoolean("heard_recently"),
                    row.getBoolean("holder_alive")));
  }

  private static final Sql INSERT =
      Sql.of(
          """
      INSERT INTO provers (prover_id, state, compute_units, instance_id)
      VALUES (:proverId, 'IDLE', :computeUnits, :instanceId)
      RETURNING connected_at
      """);

  public Instant insert(String proverId, int computeUnits, UUID instanceId) {
    return INSERT
        .on(connection)
        .bind("proverId", proverId)
        .bind("computeUnits", computeUnits)
        .bind("instanceId", instanceId)
        .one(row -> Sql.instant(row, "connected_at"));
  }

  /**
   * A new session on this coordinator: a new epoch, BUSY if it still works for a job, else IDLE.
   */
  private static final Sql OPEN_SESSION =
      Sql.of(
          """
      UPDATE provers
      SET state = CASE WHEN current_job_id IS NULL THEN 'IDLE' ELSE 'BUSY' END,
          compute_units = :computeUnits, instance_id = :instanceId, session_epoch = session_epoch + 1,
          connected_at = now(), last_heartbeat_at = now(), stream_lost_at = NULL, disconnected_at = NULL
      WHERE prover_id = :proverId
      RETURNING connected_at
      """);

  public Instant openSession(String proverId, int computeUnits, UUID instanceId) {
    return OPEN_SESSION
        .on(connection)
        .bind("proverId", proverId)
        .bind("computeUnits", computeUnits)
        .bind("instanceId", instanceId)
        .one(row -> Sql.instant(row, "connected_at"));
  }

  /**
   * Records that a prover's stream on this coordinator ended: an idle prover is DISCONNECTED at
   * once; a busy one keeps its work, and its reconnect grace runs from {@code stream_lost_at}. The
   * row must still name this coordinator and, when given, the session {@code epoch} (a newer
   * session took over otherwise) or silence for {@code unheardSeconds}.
   */
  private static final Sql END_STREAM =
      Sql.of(
          """
      UPDATE provers
      SET instance_id = NULL,
          state = CASE WHEN state = 'IDLE' THEN 'DISCONNECTED' ELSE state END,
          disconnected_at = CASE WHEN state = 'IDLE' THEN now() ELSE disconnected_at END,
          stream_lost_at = CASE WHEN state = 'BUSY' THEN now() END
      WHERE prover_id = :proverId AND instance_id = :instanceId
        AND (CAST(:epoch AS bigint) IS NULL OR session_epoch = :epoch)
        AND (CAST(:unheardSeconds AS double precision) IS NULL
             OR last_heartbeat_at < now() - make_interval(secs => :unheardSeconds))
      """);

  /** The session's stream ended; 0 rows: a newer session took over. */
  public int endStream(String proverId, long epoch, UUID instanceId) {
    return END_STREAM
        .on(connection)
        .bind("proverId", proverId)
        .bind("instanceId", instanceId)
        .bind("epoch", epoch)
        .bind("unheardSeconds", null)
        .update();
  }

  /**
   * The stream ended while the database was away: the row still names this coordinator, but nothing
   * was heard from the prover within {@code timeoutSeconds}.
   */
  public int endUnheardStream(String proverId, UUID instanceId, double timeoutSeconds) {
    return END_STREAM
        .on(connection)
        .bind("proverId", proverId)
        .bind("instanceId", instanceId)
        .bind("epoch", null)
        .bind("unheardSeconds", timeoutSeconds)
        .update();
  }

  /** Provers whose rows name this coordinator and that were not heard from within the timeout. */
  private static final Sql UNHEARD_ON =
      Sql.of(
          """
      SELECT prover_id FROM provers
      WHERE instance_id = :instanceId AND last_heartbeat_at < now() - make_interval(secs => :timeoutSeconds)
      """);

  public List<String> unheardOn(UUID instanceId, double timeoutSeconds) {
    return UNHEARD_ON
        .on(connection)
        .bind("instanceId", instanceId)
        .bind("timeoutSeconds", timeoutSeconds)
        .list(row -> row.getString("prover_id"));
  }

  /** Busy provers whose stream broke longer ago than the grace. */
  private static final Sql PAST_GRACE =
      Sql.of(
          "SELECT prover_id FROM provers WHERE stream_lost_at < now() - make_interval(secs => :graceSeconds)");

  public List<String> pastGrace(double graceSeconds) {
    return PAST_GRACE
        .on(connection)
        .bind("graceSeconds", graceSeconds)
        .list(row -> row.getString("prover_id"));
  }

  /** Provers still attached to another coordinator that is dead, and silent past the timeout. */
  private static final Sql ORPHANS =
      Sql.of(
          """
      SELECT p.prover_id FROM provers p JOIN coordinator_instances i ON i.instance_id = p.instance_id
      WHERE p.instance_id <> :instanceId
        AND (i.stopped_at IS NOT NULL OR i.last_seen_at < now() - make_interval(secs => :livenessSeconds))
        AND p.last_heartbeat_at < now() - make_interval(secs => :timeoutSeconds)
      """);

  public List<String> orphans(UUID instanceId, double livenessSeconds, double timeoutSeconds) {
    return ORPHANS
        .on(connection)
        .bind("instanceId", instanceId)
        .bind("livenessSeconds", livenessSeconds)
        .bind("timeoutSeconds", timeoutSeconds)
        .list(row -> row.getString("prover_id"));
  }

  /** The prover's job as of a locked row still showing its stream silent in that session. */
  private static final Sql LOCK_IF_SILENT =
      Sql.of(
          """
      SELECT current_job_id FROM provers
      WHERE prover_id = :proverId AND instance_id = :instanceId AND session_epoch = :epoch FOR UPDATE
      """);

  public Optional<JobRef> lockIfSilent(String proverId, UUID instanceId, long epoch) {
    return LOCK_IF_SILENT
        .on(connection)
        .bind("proverId", proverId)
        .bind("instanceId", instanceId)
        .bind("epoch", epoch)
        .optional(row -> new JobRef(Sql.uuid(row, "current_job_id")));
  }

  /** The same, for a row still showing its stream lost past the grace. */
  private static final Sql LOCK_IF_PAST_GRACE =
      Sql.of(
          """
      SELECT current_job_id FROM provers
      WHERE prover_id = :proverId AND stream_lost_at < now() - make_interval(secs => :graceSeconds) FOR UPDATE
      """);

  public Optional<JobRef> lockIfPastGrace(String proverId, double graceSeconds) {
    return LOCK_IF_PAST_GRACE
        .on(connection)
        .bind("proverId", proverId)
        .bind("graceSeconds", graceSeconds)
        .optional(row -> new JobRef(Sql.uuid(row, "current_job_id")));
  }

  /**
   * The same, for a row still attached to another coordinator (the orphan query judged it dead).
   */
  private static final Sql LOCK_IF_ORPHANED =
      Sql.of(
          """
      SELECT current_job_id FROM provers
      WHERE prover_id = :proverId AND instance_id IS NOT NULL AND instance_id <> :instanceId FOR UPDATE
      """);

  public Optional<JobRef> lockIfOrphaned(String proverId, UUID instanceId) {
    return LOCK_IF_ORPHANED
        .on(connection)
        .bind("proverId", proverId)
        .bind("instanceId", instanceId)
        .optional(row -> new JobRef(Sql.uuid(row, "current_job_id")));
  }

  /** The job a locked prover works for; {@code currentJobId} null when none. */
  public record JobRef(UUID currentJobId) {}

  private static final Sql DISCONNECT =
      Sql.of(
          """
      UPDATE provers SET state = 'DISCONNECTED', instance_id = NULL, current_job_id = NULL,
                         stream_lost_at = NULL, disconnected_at = now()
      WHERE prover_id = :proverId
      """);

  public int disconnect(String proverId) {
    return DISCONNECT.on(connection).bind("proverId", proverId).update();
  }

  /**
   * Refreshes the heartbeat of those of the provers whose rows this coordinator holds and no
   * transaction has locked; answers those it had to skip. A locked row belongs to a transition of
   * that very prover: waiting for it would hold the rows already touched and stall every transition
   * behind them, so a skipped prover is simply refreshed on the next flush.
   */
  private static final Sql TOUCH =
      Sql.of(
          """
      WITH mine AS (
          SELECT prover_id FROM provers WHERE prover_id = ANY(:proverIds) AND instance_id = :instanceId),
      free AS (
          SELECT prover_id FROM provers WHERE prover_id = ANY(:proverIds) AND instance_id = :instanceId
          FOR UPDATE SKIP LOCKED),
      touched AS (
          UPDATE provers p SET last_heartbeat_at = now() FROM free WHERE p.prover_id = free.prover_id
          RETURNING p.prover_id)
      SELECT (SELECT count(*) FROM touched) AS touched,
             -- (as text: an array of a domain reaches JDBC without its element type)
             ARRAY(SELECT prover_id::text FROM mine WHERE prover_id NOT IN (SELECT prover_id FROM touched))
               AS skipped
      """);

  /** How many heartbeats were written, and the provers skipped because their rows were locked. */
  public record Touched(int written, List<String> skipped) {}

  public Touched touch(String[] proverIds, UUID instanceId) {
    return TOUCH
        .on(connection)
        .bind("proverIds", proverIds)
        .bind("instanceId", instanceId)
        .one(
            row ->
                new Touched(
                    row.getInt("touched"), List.of((String[]) row.getArray("skipped").getArray())));
  }

  /** Whether a lost rank or a queued job waits, and the idle provers locked (none if nothing). */
  public record IdleForWork(boolean ranksWaiting, boolean jobsQueued, List<IdleProver> idle) {}

  /**
   * Admission's look and claim in one round trip: only if work waits (or a launch queued a job),
   * the reachable (live coordinator, recent answer) unquarantined IDLE provers, locked.
   */
  private static final Sql LOCK_IDLE_FOR_WORK =
      Sql.of(
          """
      WITH work AS (
          SELECT EXISTS (SELECT 1 FROM lost_ranks l
                         JOIN jobs j ON j.job_id = l.job_id AND j.attempt = l.attempt AND j.state = 'RUNNING'
                         WHERE l.replaced_by IS NULL) AS ranks_waiting,
                 EXISTS (SELECT 1 FROM jobs WHERE state = 'QUEUED') AS jobs_queued),
      idle AS (
          SELECT p.prover_id, p.compute_units
          FROM provers p JOIN coordinator_instances i ON i.instance_id = p.instance_id
          WHERE (SELECT w.ranks_waiting OR w.jobs_queued OR :jobQueued FROM work w)
            AND p.state = 'IDLE' AND (p.held_until IS NULL OR p.held_until <= :now)
            AND p.last_heartbeat_at > now() - make_interval(secs => :proverLivenessSeconds)
            AND i.stopped_at IS NULL AND i.last_seen_at > now() - make_interval(secs => :instanceLivenessSeconds)
          FOR UPDATE OF p SKIP LOCKED)
      SELECT w.ranks_waiting, w.jobs_queued, i.prover_id, i.compute_units
      FROM work w LEFT JOIN idle i ON true ORDER BY i.compute_units DESC, i.prover_id -- largest first
      """);

  public IdleForWork lockIdleForWork(
      double proverLivenessSeconds,
      double instanceLivenessSeconds,
      Instant now,
      boolean jobQueued) {
    boolean[] waiting = new boolean[2];
    List<IdleProver> idle =
        LOCK_IDLE_FOR_WORK
            .on(connection)
            .bind("now", now)
            .bind("proverLivenessSeconds", proverLivenessSeconds)
            .bind("instanceLivenessSeconds", instanceLivenessSeconds)
            .bind("jobQueued", jobQueued)
            .list(
                row -> {
                  waiting[0] = row.getBoolean("ranks_waiting");
                  waiting[1] = row.getBoolean("jobs_queued");
                  String proverId = row.getString("prover_id");
                  return proverId == null
                      ? null
                      : new IdleProver(proverId, row.getInt("compute_units"));
                });
    return new IdleForWork(waiting[0], waiting[1], idle.stream().filter(Objects::nonNull).toList());
  }

  /**
   * Releases one prover from its job (its part is done): IDLE if it still has a stream,
   * DISCONNECTED otherwise. A SQL function (V14): a success releases provers in the same way.
   */
  private static final Sql RELEASE =
      Sql.of(
          """
      SELECT zisk_release_prover(:proverId, :jobId)
      """);

  public int release(String proverId, UUID jobId) {
    return RELEASE
        .on(connection)
        .bind("proverId", proverId)
        .bind("jobId", jobId)
        .one(row -> row.getInt(1));
  }

  /** Releases every prover still working for (or waiting to aggregate) the job. */
  private static final Sql RELEASE_ALL =
      Sql.of(
          """
      SELECT prover_id, last_task_id FROM zisk_release_all(:jobId)
      """);

  public List<ReleasedProver> releaseAll(UUID jobId) {
    return RELEASE_ALL
        .on(connection)
        .bind("jobId", jobId)
        .list(row -> new ReleasedProver(row.getString("prover_id"), Sql.uuid(row, "last_task_id")));
  }
}
