package zisk.distributed.coordinator.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * The SQL of {@code provers}: registration, streams that end, liveness, admission's claim, and
 * release from a job. A prover row names the coordinator holding its stream ({@code instance_id})
 * and the job it works for ({@code current_job_id}, set exactly while BUSY).
 */
public interface ProverDao {

  /** A prover row locked for registration, with the liveness facts the decision needs. */
  record RegistrationRow(UUID instanceId, UUID currentJobId, long sessionEpoch, boolean heardRecently,
      boolean holderAlive) {}

  /** An IDLE prover admission may claim. */
  record IdleProver(String proverId, int computeUnits) {}

  /** A prover let go of a job, with its latest task of the job (named in its JobCancelled). */
  record ReleasedProver(String proverId, UUID lastTaskId) {}

  /** Every known prover, or only the connected IDLE ones, by id. */
  @SqlQuery("""
      SELECT prover_id, state, compute_units, instance_id, session_epoch, connected_at, last_heartbeat_at, current_job_id
      FROM provers
      WHERE NOT :availableOnly OR state = 'IDLE'
      ORDER BY prover_id
      """)
  List<Prover> list(boolean availableOnly);

  /**
   * Locks the prover's job row first (the lock order of every transition: job, then prover) and
   * answers the job it works for.
   */
  @SqlQuery("""
      SELECT j.job_id FROM jobs j JOIN provers p ON p.current_job_id = j.job_id
      WHERE p.prover_id = :proverId FOR UPDATE OF j
      """)
  Optional<UUID> lockJobOf(String proverId);

  @SqlQuery("""
      SELECT p.instance_id, p.current_job_id, p.session_epoch,
             p.last_heartbeat_at > now() - make_interval(secs => :livenessSeconds) AS heard_recently,
             coalesce(i.stopped_at IS NULL AND i.last_seen_at > now() - make_interval(secs => :livenessSeconds), false)
               AS holder_alive
      FROM provers p LEFT JOIN coordinator_instances i ON i.instance_id = p.instance_id
      WHERE p.prover_id = :proverId
      FOR UPDATE OF p
      """)
  Optional<RegistrationRow> lockForRegistration(String proverId, double livenessSeconds);

  @SqlQuery("""
      INSERT INTO provers (prover_id, state, compute_units, instance_id)
      VALUES (:proverId, 'IDLE', :computeUnits, :instanceId)
      RETURNING connected_at
      """)
  Instant insert(String proverId, int computeUnits, UUID instanceId);

  /** A new session on this coordinator: a new epoch, BUSY if it still works for a job, else IDLE. */
  @SqlQuery("""
      UPDATE provers
      SET state = CASE WHEN current_job_id IS NULL THEN 'IDLE' ELSE 'BUSY' END,
          compute_units = :computeUnits, instance_id = :instanceId, session_epoch = session_epoch + 1,
          connected_at = now(), last_heartbeat_at = now(), stream_lost_at = NULL, disconnected_at = NULL
      WHERE prover_id = :proverId
      RETURNING connected_at
      """)
  Instant openSession(String proverId, int computeUnits, UUID instanceId);

  /**
   * The session's stream ended: an idle prover is DISCONNECTED at once; a busy one keeps its work,
   * and its reconnect grace runs from {@code stream_lost_at}. 0 rows: a newer session took over.
   */
  @SqlUpdate("""
      UPDATE provers
      SET instance_id = NULL,
          state = CASE WHEN state = 'IDLE' THEN 'DISCONNECTED' ELSE state END,
          disconnected_at = CASE WHEN state = 'IDLE' THEN now() ELSE disconnected_at END,
          stream_lost_at = CASE WHEN state = 'BUSY' THEN now() END
      WHERE prover_id = :proverId AND session_epoch = :epoch AND instance_id = :instanceId
      """)
  int endStream(String proverId, long epoch, UUID instanceId);

  /**
   * The same for a prover whose stream on this coordinator ended while the database was away: its
   * row still names this coordinator, but nothing was heard from it within the timeout.
   */
  @SqlUpdate("""
      UPDATE provers
      SET instance_id = NULL,
          state = CASE WHEN state = 'IDLE' THEN 'DISCONNECTED' ELSE state END,
          disconnected_at = CASE WHEN state = 'IDLE' THEN now() ELSE disconnected_at END,
          stream_lost_at = CASE WHEN state = 'BUSY' THEN now() END
      WHERE prover_id = :proverId AND instance_id = :instanceId
        AND last_heartbeat_at < now() - make_interval(secs => :timeoutSeconds)
      """)
  int endUnheardStream(String proverId, UUID instanceId, double timeoutSeconds);

  /** Provers whose rows name this coordinator and that were not heard from within the timeout. */
  @SqlQuery("""
      SELECT prover_id FROM provers
      WHERE instance_id = :instanceId AND last_heartbeat_at < now() - make_interval(secs => :timeoutSeconds)
      """)
  List<String> unheardOn(UUID instanceId, double timeoutSeconds);

  /** Busy provers whose stream broke longer ago than the grace. */
  @SqlQuery("SELECT prover_id FROM provers WHERE stream_lost_at < now() - make_interval(secs => :graceSeconds)")
  List<String> pastGrace(double graceSeconds);

  /** Provers still attached to another coordinator that is dead, and silent past the timeout. */
  @SqlQuery("""
      SELECT p.prover_id FROM provers p JOIN coordinator_instances i ON i.instance_id = p.instance_id
      WHERE p.instance_id <> :instanceId
        AND (i.stopped_at IS NOT NULL OR i.last_seen_at < now() - make_interval(secs => :livenessSeconds))
        AND p.last_heartbeat_at < now() - make_interval(secs => :timeoutSeconds)
      """)
  List<String> orphans(UUID instanceId, double livenessSeconds, double timeoutSeconds);

  /** The prover's job as of a locked row still showing its stream silent in that session. */
  @SqlQuery("""
      SELECT current_job_id FROM provers
      WHERE prover_id = :proverId AND instance_id = :instanceId AND session_epoch = :epoch FOR UPDATE
      """)
  Optional<JobRef> lockIfSilent(String proverId, UUID instanceId, long epoch);

  /** The same, for a row still showing its stream lost past the grace. */
  @SqlQuery("""
      SELECT current_job_id FROM provers
      WHERE prover_id = :proverId AND stream_lost_at < now() - make_interval(secs => :graceSeconds) FOR UPDATE
      """)
  Optional<JobRef> lockIfPastGrace(String proverId, double graceSeconds);

  /** The same, for a row still attached to another coordinator (the orphan query judged it dead). */
  @SqlQuery("""
      SELECT current_job_id FROM provers
      WHERE prover_id = :proverId AND instance_id IS NOT NULL AND instance_id <> :instanceId FOR UPDATE
      """)
  Optional<JobRef> lockIfOrphaned(String proverId, UUID instanceId);

  /** The job a locked prover works for; {@code currentJobId} null when none. */
  record JobRef(UUID currentJobId) {}

  @SqlUpdate("""
      UPDATE provers SET state = 'DISCONNECTED', instance_id = NULL, current_job_id = NULL,
                         stream_lost_at = NULL, disconnected_at = now()
      WHERE prover_id = :proverId
      """)
  int disconnect(String proverId);

  /** Batched heartbeat acknowledgements of streams this coordinator holds. */
  @SqlUpdate("""
      UPDATE provers SET last_heartbeat_at = now() WHERE prover_id = ANY(:proverIds) AND instance_id = :instanceId
      """)
  int touch(String[] proverIds, UUID instanceId);

  /**
   * Connected IDLE provers that can be reached (their coordinator is alive and they answered
   * recently), largest first, locked against other coordinators' admission.
   */
  @SqlQuery("""
      SELECT p.prover_id, p.compute_units
      FROM provers p JOIN coordinator_instances i ON i.instance_id = p.instance_id
      WHERE p.state = 'IDLE'
        AND p.last_heartbeat_at > now() - make_interval(secs => :proverLivenessSeconds)
        AND i.stopped_at IS NULL AND i.last_seen_at > now() - make_interval(secs => :instanceLivenessSeconds)
      ORDER BY p.compute_units DESC, p.prover_id
      FOR UPDATE OF p SKIP LOCKED
      """)
  List<IdleProver> lockIdle(double proverLivenessSeconds, double instanceLivenessSeconds);

  /** Claimed IDLE provers become BUSY for the job. */
  @SqlUpdate("UPDATE provers SET state = 'BUSY', current_job_id = :jobId WHERE prover_id = ANY(:proverIds) AND state = 'IDLE'")
  int reserve(UUID jobId, String[] proverIds);

  /**
   * Releases one prover from its job (its part is done): IDLE if it still has a stream,
   * DISCONNECTED otherwise.
   */
  @SqlUpdate("""
      UPDATE provers
      SET current_job_id = NULL,
          state = CASE WHEN instance_id IS NULL THEN 'DISCONNECTED' ELSE 'IDLE' END,
          disconnected_at = CASE WHEN instance_id IS NULL THEN now() ELSE disconnected_at END,
          stream_lost_at = NULL
      WHERE prover_id = :proverId AND current_job_id = :jobId
      """)
  int release(String proverId, UUID jobId);

  /** Releases every prover still working for (or waiting to aggregate) the job. */
  @SqlQuery("""
      UPDATE provers p
      SET current_job_id = NULL,
          state = CASE WHEN p.instance_id IS NULL THEN 'DISCONNECTED' ELSE 'IDLE' END,
          disconnected_at = CASE WHEN p.instance_id IS NULL THEN now() ELSE p.disconnected_at END,
          stream_lost_at = NULL
      WHERE p.current_job_id = :jobId
      RETURNING p.prover_id,
                (SELECT t.task_id FROM tasks t WHERE t.job_id = :jobId AND t.prover_id = p.prover_id
                 ORDER BY t.created_at DESC LIMIT 1) AS last_task_id
      """)
  List<ReleasedProver> releaseAll(UUID jobId);
}
