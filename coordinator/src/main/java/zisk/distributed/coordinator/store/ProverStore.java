package zisk.distributed.coordinator.store;

import java.util.List;
import org.jdbi.v3.core.Jdbi;

/** Provers as the admin API sees them. */
public final class ProverStore {

  private final Jdbi jdbi;

  public ProverStore(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** Every known prover, or only the connected IDLE ones, by id. */
  public List<Prover> list(boolean availableOnly) {
    return jdbi.withHandle(handle -> handle.createQuery("""
            SELECT p.prover_id, p.state, p.compute_units, p.instance_id, p.session_epoch, p.connected_at,
                   p.last_heartbeat_at, t.job_id AS current_job_id
            FROM provers p
            LEFT JOIN tasks t ON t.prover_id = p.prover_id AND t.state IN ('ASSIGNED', 'DISPATCHED')
            WHERE NOT :availableOnly OR p.state = 'IDLE'
            ORDER BY p.prover_id
            """)
        .bind("availableOnly", availableOnly)
        .mapTo(Prover.class)
        .list());
  }
}
