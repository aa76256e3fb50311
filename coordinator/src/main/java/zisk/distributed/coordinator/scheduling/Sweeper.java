package zisk.distributed.coordinator.scheduling;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.SqlStatements;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.coordinator.session.ProverSession;
import zisk.distributed.coordinator.session.SessionRegistry;
import zisk.distributed.coordinator.store.ProverStore;

/**
 * Finds provers that are gone and hands their work back: a busy prover whose stream broke and did
 * not come back within the grace period, and a prover silent past the heartbeat timeout. Safe to
 * run on every coordinator at once: each prover is settled in its own transaction that re-checks
 * the row under lock.
 *
 * <p>Silence is judged from memory for the streams this coordinator holds (a database outage
 * must not look like a thousand silent provers), and from the database only for provers whose
 * coordinator itself is dead.
 */
public final class Sweeper {

  private static final Logger log = LoggerFactory.getLogger(Sweeper.class);

  private final Jdbi jdbi;
  private final SessionRegistry sessions;
  private final UUID instanceId;
  private final Duration heartbeatTimeout;
  private final Duration reconnectGrace;
  private final Duration instanceLiveness;
  private final Clock clock;

  public Sweeper(Jdbi jdbi, SessionRegistry sessions, UUID instanceId, Duration heartbeatTimeout,
      Duration reconnectGrace, Duration instanceLiveness, Clock clock) {
    this.jdbi = jdbi;
    this.sessions = sessions;
    this.instanceId = instanceId;
    this.heartbeatTimeout = heartbeatTimeout;
    this.reconnectGrace = reconnectGrace;
    this.instanceLiveness = instanceLiveness;
    this.clock = clock;
  }

  public Effects sweep() {
    Effects effects = Effects.none();
    Instant silentSince = clock.instant().minus(heartbeatTimeout);
    for (ProverSession session : sessions.all()) {
      if (session.lastHeard().isBefore(silentSince)) {
        settle(session.proverId(), Gone.SILENT, session.epoch(), "prover " + session.proverId() + " sent nothing for "
            + heartbeatTimeout.toSeconds() + " s (heartbeat timeout)", effects);
        effects.disconnect(session.proverId());
      }
    }
    for (String proverId : strays()) {
      recordLostStream(proverId);
    }
    for (String proverId : lostStreams()) {
      settle(proverId, Gone.STREAM_LOST, 0, "prover " + proverId + " lost its stream and did not reconnect within "
          + reconnectGrace.toSeconds() + " s", effects);
    }
    for (String proverId : orphans()) {
      settle(proverId, Gone.ORPHANED, 0, "prover " + proverId + " was connected to a coordinator that stopped heartbeating",
          effects);
    }
    return effects;
  }

  /** Why a prover is gone, as the condition its row must still meet, under lock, to be settled. */
  private enum Gone {
    /** A stream this coordinator holds went silent (same session: it did not reconnect meanwhile). */
    SILENT("instance_id = :instanceId AND session_epoch = :epoch"),
    /** A busy prover's stream broke and the grace period passed. */
    STREAM_LOST("stream_lost_at < now() - make_interval(secs => :grace)"),
    /** Its coordinator died (the orphan query checked that); it is not ours to judge otherwise. */
    ORPHANED("instance_id IS NOT NULL AND instance_id <> :instanceId");

    final String stillTrue;

    Gone(String stillTrue) {
      this.stillTrue = stillTrue;
    }
  }

  private List<String> lostStreams() {
    return jdbi.withHandle(handle -> handle.createQuery("""
            SELECT prover_id FROM provers WHERE stream_lost_at < now() - make_interval(secs => :grace)
            """)
        .bind("grace", (double) reconnectGrace.toSeconds()).mapTo(String.class).list());
  }

  private List<String> strays() {
    return jdbi.withHandle(handle -> handle.createQuery("SELECT prover_id FROM provers WHERE instance_id = :instanceId")
        .bind("instanceId", instanceId).mapTo(String.class).list())
        .stream().filter(proverId -> !sessions.holds(proverId)).toList();
  }

  /**
   * A prover whose stream ended while the database was away: its row still names this coordinator.
   * Records the loss now, as the stream's end would have, so that a busy prover gets its reconnect
   * grace from here (it could not reconnect while the database was down) and an idle one is
   * DISCONNECTED. A registration that meanwhile gave it a stream here refreshed its heartbeat, so
   * the row is then left alone.
   */
  private void recordLostStream(String proverId) {
    try {
      int changed = jdbi.withHandle(handle -> handle.createUpdate(ProverStore.STREAM_ENDED + """
              WHERE prover_id = :proverId AND instance_id = :instanceId
                AND last_heartbeat_at < now() - make_interval(secs => :timeout)
              """)
          .bind("proverId", proverId).bind("instanceId", instanceId)
          .bind("timeout", (double) heartbeatTimeout.toSeconds())
          .execute());
      if (changed > 0) {
        log.warn("Prover {} has no stream on this coordinator (it ended while the database was away); "
            + "it has {} s to reconnect", proverId, reconnectGrace.toSeconds());
      }
    } catch (RuntimeException e) {
      log.warn("Could not record the lost stream of prover {}: {}", proverId, e.getMessage());
    }
  }

  /** Provers still attached to a coordinator that is dead (no heartbeat within its liveness). */
  private List<String> orphans() {
    return jdbi.withHandle(handle -> handle.createQuery("""
            SELECT p.prover_id FROM provers p JOIN coordinator_instances i ON i.instance_id = p.instance_id
            WHERE p.instance_id <> :instanceId
              AND (i.stopped_at IS NOT NULL OR i.last_seen_at < now() - make_interval(secs => :liveness))
              AND p.last_heartbeat_at < now() - make_interval(secs => :timeout)
            """)
        .bind("instanceId", instanceId).bind("liveness", (double) instanceLiveness.toSeconds())
        .bind("timeout", (double) heartbeatTimeout.toSeconds())
        .mapTo(String.class).list());
  }

  /** Disconnects one prover if its row still shows it gone, under lock, losing its work. */
  private void settle(String proverId, Gone gone, long epoch, String reason, Effects effects) {
    try {
      jdbi.useTransaction(handle -> {
        Optional<UUID> job = handle.createQuery("""
                SELECT j.job_id FROM jobs j JOIN provers p ON p.current_job_id = j.job_id
                WHERE p.prover_id = :proverId FOR UPDATE OF j
                """)
            .bind("proverId", proverId).mapTo(UUID.class).findOne();
        Optional<UUID> currentJob = handle.createQuery(
                "SELECT current_job_id FROM provers WHERE prover_id = :proverId AND " + gone.stillTrue + " FOR UPDATE")
            // Each condition uses some of the parameters below.
            .configure(SqlStatements.class, statements -> statements.setUnusedBindingAllowed(true))
            .bind("proverId", proverId).bind("instanceId", instanceId).bind("epoch", epoch)
            .bind("timeout", (double) heartbeatTimeout.toSeconds()).bind("grace", (double) reconnectGrace.toSeconds())
            .map((rs, ctx) -> Optional.ofNullable(rs.getObject("current_job_id", UUID.class)))
            .findOne().orElse(null);
        if (currentJob == null) {
          return; // settled meanwhile (reconnected, or another coordinator got there first)
        }
        log.warn("{}: disconnecting it", reason);
        if (currentJob.isPresent() && job.isPresent()) {
          ProverLoss.loseWork(handle, proverId, currentJob.get(), reason, effects);
        }
        handle.createUpdate("""
                UPDATE provers SET state = 'DISCONNECTED', instance_id = NULL, current_job_id = NULL,
                                   stream_lost_at = NULL, disconnected_at = now()
                WHERE prover_id = :proverId
                """)
            .bind("proverId", proverId).execute();
      });
    } catch (RuntimeException e) {
      log.warn("Could not settle prover {}: {}", proverId, e.getMessage());
    }
  }
}
