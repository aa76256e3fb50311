package zisk.distributed.coordinator.scheduling;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.coordinator.lifecycle.Effects;
import zisk.distributed.coordinator.lifecycle.JobLifecycle;
import zisk.distributed.coordinator.session.ProverSession;
import zisk.distributed.coordinator.session.SessionRegistry;
import zisk.distributed.coordinator.store.ProverDao.JobRef;
import zisk.distributed.coordinator.store.Rows;
import zisk.distributed.coordinator.store.Store;
import zisk.distributed.coordinator.store.Tx;

/**
 * Finds provers that are gone and hands their work back: a busy prover whose stream broke and did
 * not come back within the grace period, and a prover silent past the heartbeat timeout. Safe to
 * run on every coordinator at once: each prover is settled in its own transaction that re-checks
 * the row under lock.
 *
 * <p>Silence is judged from memory for the streams this coordinator holds (a database outage must
 * not look like a thousand silent provers), and from the database only for provers whose
 * coordinator itself is dead, and only while this coordinator's own link to the database has been
 * unbroken for a liveness window ({@link InstanceHeartbeat#mayJudgeOthers()}).
 */
public final class Sweeper {

  private static final Logger log = LoggerFactory.getLogger(Sweeper.class);

  private final Store store;
  private final JobLifecycle lifecycle;
  private final SessionRegistry sessions;
  private final UUID instanceId;
  private final Duration heartbeatTimeout;
  private final Duration reconnectGrace;
  private final Duration instanceLiveness;
  private final BooleanSupplier mayJudgeOthers;
  private final Clock clock;

  public Sweeper(
      Store store,
      JobLifecycle lifecycle,
      SessionRegistry sessions,
      UUID instanceId,
      Duration heartbeatTimeout,
      Duration reconnectGrace,
      Duration instanceLiveness,
      BooleanSupplier mayJudgeOthers,
      Clock clock) {
    this.store = store;
    this.lifecycle = lifecycle;
    this.sessions = sessions;
    this.instanceId = instanceId;
    this.heartbeatTimeout = heartbeatTimeout;
    this.reconnectGrace = reconnectGrace;
    this.instanceLiveness = instanceLiveness;
    this.mayJudgeOthers = mayJudgeOthers;
    this.clock = clock;
  }

  public Effects sweep() {
    Effects effects = Effects.none();
    Instant silentSince = clock.instant().minus(heartbeatTimeout);
    for (ProverSession session : sessions.all()) {
      if (session.lastHeard().isBefore(silentSince)) {
        settle(
            session.proverId(),
            tx -> tx.provers().lockIfSilent(session.proverId(), instanceId, session.epoch()),
            "prover "
                + session.proverId()
                + " sent nothing for "
                + heartbeatTimeout.toSeconds()
                + " s (heartbeat timeout)",
            effects);
        effects.disconnect(session.proverId());
      }
    }
    for (String proverId :
        store.read(tx -> tx.provers().unheardOn(instanceId, seconds(heartbeatTimeout)))) {
      if (!sessions.holds(proverId)) {
        recordLostStream(proverId);
      }
    }
    for (String proverId : store.read(tx -> tx.provers().pastGrace(seconds(reconnectGrace)))) {
      settle(
          proverId,
          tx -> tx.provers().lockIfPastGrace(proverId, seconds(reconnectGrace)),
          "prover "
              + proverId
              + " lost its stream and did not reconnect within "
              + reconnectGrace.toSeconds()
              + " s",
          effects);
    }
    if (!mayJudgeOthers.getAsBoolean()) {
      return effects; // just back from an outage: every other row looks stale too
    }
    var orphans =
        store.read(
            tx ->
                tx.provers()
                    .orphans(instanceId, seconds(instanceLiveness), seconds(heartbeatTimeout)));
    for (String proverId : orphans) {
      settle(
          proverId,
          tx -> tx.provers().lockIfOrphaned(proverId, instanceId),
          "prover " + proverId + " was connected to a coordinator that stopped heartbeating",
          effects);
    }
    return effects;
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
      int changed =
          store.read(
              tx -> tx.provers().endUnheardStream(proverId, instanceId, seconds(heartbeatTimeout)));
      if (Rows.one(changed, "ending the stream of prover " + proverId)) {
        log.warn(
            "Prover {} has no stream on this coordinator (it ended while the database was away); "
                + "it has {} s to reconnect",
            proverId,
            reconnectGrace.toSeconds());
      }
    } catch (RuntimeException e) {
      log.warn("Could not record the lost stream of prover {}: {}", proverId, e.getMessage());
    }
  }

  /**
   * Disconnects one prover if its row, locked, still shows it gone ({@code stillGone} answers its
   * job then), losing its work.
   */
  private void settle(
      String proverId, Function<Tx, Optional<JobRef>> stillGone, String reason, Effects effects) {
    try {
      effects.merge(
          store.inTransaction(
              tx -> {
                Effects settled = Effects.none();
                tx.provers().lockJobOf(proverId);
                Optional<JobRef> gone = stillGone.apply(tx);
                if (gone.isEmpty()) {
                  return settled; // settled meanwhile (reconnected, or another coordinator got
                  // there first)
                }
                log.warn("{}: disconnecting it", reason);
                if (gone.get().currentJobId() != null) {
                  lifecycle.loseProver(tx, proverId, gone.get().currentJobId(), reason, settled);
                }
                Rows.exactlyOne(
                    tx.provers().disconnect(proverId), "disconnecting prover " + proverId);
                return settled;
              }));
    } catch (RuntimeException e) {
      log.warn("Could not settle prover {}: {}", proverId, e.getMessage());
    }
  }

  private static double seconds(Duration duration) {
    return duration.toMillis() / 1000.0;
  }
}
