package zisk.distributed.coordinator.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import zisk.distributed.coordinator.testing.TestCluster;

/**
 * VACUUM of {@code provers} keeps a table whose rows are rewritten at every task from growing;
 * another VACUUM running is not a refusal; a role that may not vacuum it is told.
 */
class VacuumDaoTest {

  /**
   * A prover's heartbeat written this many times in one transaction: several pages of row versions
   * (the heartbeat is indexed, so no update is HOT, like a prover's state and job).
   */
  private static final int BURST = 1_000;

  @Test
  void vacuumedBetweenBurstsOfUpdatesTheTableStopsGrowing() throws SQLException {
    TestCluster cluster = TestCluster.withIdleProvers("gpu-1");
    burst(cluster);
    long afterOne = pages(cluster);
    try (Connection connection = cluster.dataSource().getConnection()) {
      VacuumDao vacuum = new VacuumDao(connection);
      for (int i = 0; i < 5; i++) {
        assertEquals(Optional.empty(), vacuum.provers());
        burst(cluster);
      }
    }
    assertTrue(pages(cluster) <= afterOne, pages(cluster) + " pages, " + afterOne + " after one");

    TestCluster unvacuumed = TestCluster.withIdleProvers("gpu-1");
    for (int i = 0; i < 6; i++) {
      burst(unvacuumed);
    }
    assertTrue(pages(unvacuumed) > 2 * afterOne, "unvacuumed: " + pages(unvacuumed) + " pages");
  }

  @Test
  void anotherVacuumRunningIsNoRefusalAndThisOneSkips() throws SQLException {
    TestCluster cluster = TestCluster.withIdleProvers("gpu-1");
    try (Connection holder = cluster.dataSource().getConnection();
        Connection connection = cluster.dataSource().getConnection()) {
      holder.setAutoCommit(false);
      // the lock a VACUUM holds
      holder.createStatement().execute("LOCK TABLE provers IN SHARE UPDATE EXCLUSIVE MODE");

      assertEquals(Optional.empty(), new VacuumDao(connection).provers());
      holder.rollback();
    }
    assertEquals("0", vacuumCount(cluster));
  }

  @Test
  void aRoleThatMayNotVacuumTheTableGetsTheServersReason() throws SQLException {
    TestCluster cluster = TestCluster.withIdleProvers("gpu-1");
    String role = "zisk_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection connection = cluster.dataSource().getConnection()) {
      connection.createStatement().execute("CREATE ROLE " + role);
      try {
        connection.createStatement().execute("SET ROLE " + role);

        Optional<String> refusal = new VacuumDao(connection).provers();

        assertTrue(refusal.orElse("").contains("provers"), "refusal: " + refusal);
      } finally {
        connection.createStatement().execute("RESET ROLE");
        connection.createStatement().execute("DROP ROLE " + role);
      }
    }
    assertEquals("0", vacuumCount(cluster));
  }

  private static void burst(TestCluster cluster) {
    cluster.execute(
        """
        DO $$ BEGIN FOR i IN 1 .. %d LOOP
            UPDATE provers SET last_heartbeat_at = clock_timestamp();
        END LOOP; END $$
        """
            .formatted(BURST));
  }

  private static long pages(TestCluster cluster) {
    return Long.parseLong(cluster.text("SELECT pg_relation_size('provers') / 8192"));
  }

  private static String vacuumCount(TestCluster cluster) {
    return cluster.text("SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 'provers'");
  }
}
