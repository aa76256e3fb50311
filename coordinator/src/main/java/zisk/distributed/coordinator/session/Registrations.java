package zisk.distributed.coordinator.session;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.coordinator.scheduling.Effects;
import zisk.distributed.coordinator.scheduling.ProverLoss;
import zisk.distributed.coordinator.store.ProverStore;

/**
 * The prover row's side of a stream: register or reconnect (a new session epoch), and the stream's
 * end. Each is one transaction that checks the row it finds.
 */
public final class Registrations {

  private static final Logger log = LoggerFactory.getLogger(Registrations.class);

  /** The outcome of a register or reconnect. */
  public sealed interface Outcome {
    /** Accepted with a new epoch; {@code resumedJob} is the job whose work the prover keeps. */
    record Accepted(long epoch, Optional<UUID> resumedJob, Instant registeredAt, Effects effects) implements Outcome {}
    record Refused(String reason) implements Outcome {}
  }

  private record Row(UUID instanceId, UUID currentJobId, long epoch, boolean heardRecently, boolean holderAlive) {}

  private final Jdbi jdbi;
  private final UUID instanceId;
  private final SessionRegistry sessions;
  private final Duration liveness;

  /**
   * @param liveness how recently a prover must have been heard from for its stream to count as
   *     live (a second stream for a live prover id is refused)
   */
  public Registrations(Jdbi jdbi, UUID instanceId, SessionRegistry sessions, Duration liveness) {
    this.jdbi = jdbi;
    this.instanceId = instanceId;
    this.sessions = sessions;
    this.liveness = liveness;
  }

  /**
   * Registers a prover on this coordinator. With {@code lastKnownJob} (a reconnect) a prover that
   * still works for that job keeps its work; otherwise any work it had is lost with its old state,
   * and a reconnect naming a job it no longer works for is told to drop that job (JobCancelled).
   */
  public Outcome register(String proverId, int computeUnits, Optional<UUID> lastKnownJob) {
    return jdbi.inTransaction(handle -> {
      // Lock order of every transition: the job first, then the prover.
      handle.createQuery("""
              SELECT j.job_id FROM jobs j JOIN provers p ON p.current_job_id = j.job_id
              WHERE p.prover_id = :proverId FOR UPDATE OF j
              """)
          .bind("proverId", proverId).mapTo(UUID.class).findOne();
      Optional<Row> existing = lockRow(handle, proverId);
      Effects effects = Effects.none();
      if (existing.isEmpty()) {
        Instant at = handle.createQuery("""
                INSERT INTO provers (prover_id, state, compute_units, instance_id)
                VALUES (:proverId, 'IDLE', :units, :instanceId)
                RETURNING connected_at
                """)
            .bind("proverId", proverId).bind("units", computeUnits).bind("instanceId", instanceId)
            .mapTo(Instant.class).one();
        dropStaleWork(proverId, lastKnownJob, effects);
        return new Outcome.Accepted(1, Optional.empty(), at, effects.admit());
      }
      Row row = existing.get();
      // A reconnect naming the job the prover works for is the same worker whose old stream died
      // (perhaps with its coordinator): it takes its session back at once. Anything else must
      // wait until the old stream is known dead.
      boolean resuming = lastKnownJob.isPresent() && lastKnownJob.get().equals(row.currentJobId());
      if (!resuming && isLive(row, proverId)) {
        return new Outcome.Refused("prover id '" + proverId + "' is already connected"
            + (instanceId.equals(row.instanceId()) ? "" : " to coordinator " + row.instanceId())
            + "; a second stream for it is refused (retry once the old stream is gone)");
      }
      Optional<UUID> resumed = Optional.empty();
      if (row.currentJobId() != null) {
        if (resuming) {
          resumed = lastKnownJob;
        } else if (onlyAssigned(handle, proverId, row.currentJobId())) {
          // Its task was assigned while it was away (its coordinator died with its stream, and the
          // row still said IDLE) and never sent: there is no state to lose. It keeps the task,
          // which goes out on this stream.
          log.info("Prover {} registered with a task of job {} not yet sent to it; it keeps it", proverId,
              row.currentJobId());
        } else {
          // The worker no longer has the job's in-memory state: its part of the attempt is lost.
          ProverLoss.loseWork(handle, proverId, row.currentJobId(),
              "prover " + proverId + " came back without the state of job " + row.currentJobId(), effects);
        }
      }
      Instant at = handle.createQuery("""
              UPDATE provers
              SET state = CASE WHEN current_job_id IS NULL THEN 'IDLE' ELSE 'BUSY' END,
                  compute_units = :units, instance_id = :instanceId, session_epoch = session_epoch + 1,
                  connected_at = now(), last_heartbeat_at = now(), stream_lost_at = NULL, disconnected_at = NULL
              WHERE prover_id = :proverId
              RETURNING connected_at
              """)
          .bind("units", computeUnits).bind("instanceId", instanceId).bind("proverId", proverId)
          .mapTo(Instant.class).one();
      if (resumed.isPresent()) {
        log.info("Prover {} resumed its work on job {}", proverId, resumed.get());
      } else {
        dropStaleWork(proverId, lastKnownJob, effects);
      }
      return new Outcome.Accepted(row.epoch() + 1, resumed, at, effects.admit());
    });
  }

  /**
   * Whether the prover's whole part of the job's running attempt is ASSIGNED tasks, none ever sent
   * to it: then it holds no state of the job, whatever its first message says.
   */
  private static boolean onlyAssigned(Handle handle, String proverId, UUID jobId) {
    return handle.createQuery("""
            SELECT bool_and(t.state = 'ASSIGNED') FROM jobs j
            JOIN tasks t ON t.job_id = j.job_id AND t.attempt = j.attempt AND t.prover_id = :proverId
            WHERE j.job_id = :jobId AND j.state = 'RUNNING'
            """)
        .bind("proverId", proverId).bind("jobId", jobId)
        .mapTo(Boolean.class).findOne().map(Boolean.TRUE::equals).orElse(false);
  }

  /**
   * A reconnect named a job the prover no longer works for (it came back after the grace, or its
   * part was done): tell it to drop that job. The worker may still be running work the coordinator
   * gave up on; left alone, it stays busy and refuses, as task failures, the new tasks it is about
   * to get.
   */
  private static void dropStaleWork(String proverId, Optional<UUID> lastKnownJob, Effects effects) {
    lastKnownJob.ifPresent(job -> effects.cancel(proverId, job, null,
        "prover " + proverId + " has no work left in job " + job + "; drop what it holds of it"));
  }

  /**
   * The stream of a session ended. An idle prover is DISCONNECTED at once; a busy one keeps its
   * work for the grace period, in case it reconnects (the lost-stream sweep decides after that).
   */
  public void streamClosed(String proverId, long epoch) {
    int changed = jdbi.withHandle(handle -> handle.createUpdate(ProverStore.STREAM_ENDED
            + "WHERE prover_id = :proverId AND session_epoch = :epoch AND instance_id = :instanceId")
        .bind("proverId", proverId).bind("epoch", epoch).bind("instanceId", instanceId)
        .execute());
    if (changed == 0) {
        log.debug("Stream of prover {} (epoch {}) closed after a newer session took over", proverId, epoch);
    }
  }

  private Optional<Row> lockRow(Handle handle, String proverId) {
    return handle.createQuery("""
            SELECT p.instance_id, p.current_job_id, p.session_epoch,
                   p.last_heartbeat_at > now() - make_interval(secs => :liveness) AS heard_recently,
                   coalesce(i.stopped_at IS NULL AND i.last_seen_at > now() - make_interval(secs => :liveness), false)
                     AS holder_alive
            FROM provers p LEFT JOIN coordinator_instances i ON i.instance_id = p.instance_id
            WHERE p.prover_id = :proverId
            FOR UPDATE OF p
            """)
        .bind("proverId", proverId).bind("liveness", (double) liveness.toSeconds())
        .map((rs, ctx) -> new Row(rs.getObject("instance_id", UUID.class), rs.getObject("current_job_id", UUID.class),
            rs.getLong("session_epoch"), rs.getBoolean("heard_recently"), rs.getBoolean("holder_alive")))
        .findOne();
  }

  /**
   * A stream counts as live while its coordinator is alive and the prover was heard from within
   * the liveness window. For streams this coordinator holds, its own session knows best.
   */
  private boolean isLive(Row row, String proverId) {
    if (row.instanceId() == null) {
      return false;
    }
    if (row.instanceId().equals(instanceId)) {
      return sessions.find(proverId)
          .filter(ProverSession::isOpen)
          .filter(session -> session.lastHeard().isAfter(Instant.now().minus(liveness)))
          .isPresent();
    }
    return row.holderAlive() && row.heardRecently();
  }
}
