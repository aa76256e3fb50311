package zisk.distributed.coordinator.session;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The prover streams this coordinator holds, by prover id. */
public final class SessionRegistry {

  private final ConcurrentHashMap<String, ProverSession> sessions = new ConcurrentHashMap<>();

  /** Makes {@code session} the prover's current one; answers the one it replaces, if any. */
  public Optional<ProverSession> put(ProverSession session) {
    return Optional.ofNullable(sessions.put(session.proverId(), session));
  }

  /** Forgets the session only if it is still the prover's current one. */
  public boolean remove(ProverSession session) {
    return sessions.remove(session.proverId(), session);
  }

  public Optional<ProverSession> find(String proverId) {
    return Optional.ofNullable(sessions.get(proverId));
  }

  public boolean holds(String proverId) {
    return sessions.containsKey(proverId);
  }

  public Collection<ProverSession> all() {
    return List.copyOf(sessions.values());
  }

  public int size() {
    return sessions.size();
  }
}
