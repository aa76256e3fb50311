package zisk.distributed.coordinator.store;

import java.sql.Connection;
import java.time.Instant;
import java.util.List;

/** ProversList's SQL: provers by id, a page at a time (keyset paging on the id). */
public final class ProverListDao {

  private final Connection connection;

  ProverListDao(Connection connection) {
    this.connection = connection;
  }

  /**
   * Every known prover, or only the connected IDLE ones that are not quarantined at {@code now},
   * after {@code afterId}, by id.
   */
  private static final Sql LIST =
      Sql.of(
          """
      SELECT prover_id, state, compute_units, instance_id, session_epoch, connected_at, last_heartbeat_at, current_job_id,
             CASE WHEN held_until > :now THEN held_until END AS held_until,
             CASE WHEN held_until > :now THEN quarantine_reason END AS quarantine_reason,
             failure_streak, quarantine_count
      FROM provers
      WHERE (NOT :availableOnly OR (state = 'IDLE' AND NOT coalesce(held_until > :now, false)))
        AND (CAST(:afterId AS text) IS NULL OR prover_id > :afterId)
      ORDER BY prover_id
      LIMIT :limit
      """);

  /**
   * @param afterId the last id of the previous page; null for the first page
   * @param now the coordinator's clock, which quarantine times are written by
   */
  public List<Prover> list(boolean availableOnly, String afterId, int limit, Instant now) {
    return LIST.on(connection)
        .bind("now", now)
        .bind("availableOnly", availableOnly)
        .bind("afterId", afterId)
        .bind("limit", limit)
        .list(
            row ->
                new Prover(
                    row.getString("prover_id"),
                    Sql.constant(ProverState.class, row, "state"),
                    row.getInt("compute_units"),
                    Sql.uuid(row, "instance_id"),
                    row.getLong("session_epoch"),
                    Sql.instant(row, "connected_at"),
                    Sql.instant(row, "last_heartbeat_at"),
                    Sql.uuid(row, "current_job_id"),
                    Sql.instant(row, "held_until"),
                    row.getString("quarantine_reason"),
                    row.getInt("failure_streak"),
                    row.getInt("quarantine_count")));
  }
}
