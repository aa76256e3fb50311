package zisk.distributed.coordinator.store;

import java.sql.Connection;

/**
 * Forgets provers that have been DISCONNECTED for longer than the retention period, so that
 * registrations under ever new ids cannot grow {@code provers} without bound. A prover that comes
 * back later simply registers anew; its tasks keep its id as history (V5 lets them).
 */
public final class ProverPruningDao {

  private final Connection connection;

  ProverPruningDao(Connection connection) {
    this.connection = connection;
  }

  /**
   * Deletes at most {@code batch} long-disconnected provers. Rows another transaction holds (a
   * registration bringing the prover back) are skipped, and the state is checked again under the
   * delete's own lock.
   */
  private static final Sql PRUNE =
      Sql.of(
          """
      DELETE FROM provers
      WHERE prover_id IN (
          SELECT prover_id FROM provers
          WHERE state = 'DISCONNECTED'
            AND disconnected_at < now() - make_interval(secs => :retentionSeconds)
          ORDER BY disconnected_at
          LIMIT :batch
          FOR UPDATE SKIP LOCKED)
        AND state = 'DISCONNECTED'
      """);

  /** Answers how many provers were deleted. */
  public int prune(double retentionSeconds, int batch) {
    return PRUNE
        .on(connection)
        .bind("retentionSeconds", retentionSeconds)
        .bind("batch", batch)
        .update();
  }
}
