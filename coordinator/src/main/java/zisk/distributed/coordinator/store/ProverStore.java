package zisk.distributed.coordinator.store;

import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** Provers as the admin API sees them. */
public final class ProverStore {

  /**
   * Records that a prover's stream ended: an idle prover is DISCONNECTED at once; a busy one keeps
   * its work, and the reconnect grace runs from {@code stream_lost_at}. Callers add the WHERE clause
   * that says which stream ended.
   */
  public static final String STREAM_ENDED = """
      UPDATE provers
      SET instance_id = NULL,
          state = CASE WHEN state = 'IDLE' THEN 'DISCONNECTED' ELSE state END,
          disconnected_at = CASE WHEN state = 'IDLE' THEN now() ELSE disconnected_at END,
          stream_lost_at = CASE WHEN state = 'BUSY' THEN now() END
      """;

  private final Jdbi jdbi;

  public ProverStore(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** Every known prover, or only the connected IDLE ones, by id. */
  public List<Prover> list(boolean availableOnly) {
    return jdbi.withHandle(handle -> handle.createQuery("""
            SELECT p.prover_id, p.state, p.compute_units, p.instance_id, p.session_epoch, p.connected_at,
                   p.last_heartbeat_at, p.current_job_id
            FROM provers p
            WHERE NOT :availableOnly OR p.state = 'IDLE'
            ORDER BY p.prover_id
            """)
        .bind("availableOnly", availableOnly)
        .mapTo(Prover.class)
        .list());
  }

  /**
   * Releases every prover working for (or waiting to aggregate) a job, inside the caller's
   * transaction: IDLE if it still has a stream, DISCONNECTED otherwise.
   *
   * @return the provers released
   */
  public static List<String> freeForJob(Handle handle, UUID jobId) {
    return handle.createQuery("""
            UPDATE provers
            SET current_job_id = NULL,
                state = CASE WHEN instance_id IS NULL THEN 'DISCONNECTED' ELSE 'IDLE' END,
                disconnected_at = CASE WHEN instance_id IS NULL THEN now() ELSE disconnected_at END,
                stream_lost_at = NULL
            WHERE current_job_id = :jobId
            RETURNING prover_id
            """)
        .bind("jobId", jobId).mapTo(String.class).list();
  }
}
