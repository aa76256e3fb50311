package zisk.distributed.coordinator.scheduling;

import io.grpc.Status;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.coordinator.session.ProverSession;
import zisk.distributed.coordinator.session.SessionRegistry;
import zisk.distributed.coordinator.store.Store;

/**
 * Closes the streams this coordinator holds for provers whose rows another coordinator took over
 * (this one was cut off from the database past its liveness and was judged dead), so that their
 * workers register again and are given work: otherwise they would heartbeat here forever, idle and
 * invisible to admission.
 */
public final class TakenOverStreams {

  private static final Logger log = LoggerFactory.getLogger(TakenOverStreams.class);

  private final Store store;
  private final SessionRegistry sessions;
  private final UUID instanceId;

  public TakenOverStreams(Store store, SessionRegistry sessions, UUID instanceId) {
    this.store = store;
    this.sessions = sessions;
    this.instanceId = instanceId;
  }

  /** Answers how many streams it closed. Never throws. */
  public int close() {
    // Sessions first: each registered (its row committed) before the rows are read, so a session
    // opened meanwhile is not mistaken for one taken over.
    List<ProverSession> open = List.copyOf(sessions.all());
    if (open.isEmpty()) {
      return 0;
    }
    Map<String, Long> held;
    try {
      held = store.read(tx -> tx.instances().heldStreams(instanceId));
    } catch (RuntimeException e) {
      log.debug("Could not read the streams this coordinator holds: {}", e.getMessage());
      return 0;
    }
    int closed = 0;
    for (ProverSession session : open) {
      Long epoch = held.get(session.proverId());
      if (epoch == null || epoch != session.epoch()) {
        log.warn(
            "Prover {} was taken over while this coordinator was cut off from the database;"
                + " closing its stream here",
            session.proverId());
        sessions.remove(session);
        session.close(
            Status.UNAVAILABLE.withDescription(
                "this coordinator was judged dead and its provers taken over; register again"));
        closed++;
      }
    }
    return closed;
  }
}
