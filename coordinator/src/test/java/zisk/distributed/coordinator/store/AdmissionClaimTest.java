package zisk.distributed.coordinator.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import zisk.distributed.coordinator.store.ProverDao.IdleForWork;
import zisk.distributed.coordinator.store.ProverDao.IdleProver;
import zisk.distributed.coordinator.testing.TestCluster;

/**
 * Admission's first statement: it says what waits, and locks the idle provers only when something
 * does, so the idle poll of a quiet cluster holds no prover row.
 */
class AdmissionClaimTest {

  private TestCluster cluster;
  private Store store;

  @BeforeEach
  void threeIdleProvers() {
    cluster = TestCluster.withIdleProvers("p1", "p2", "big");
    cluster.execute("UPDATE provers SET compute_units = 4 WHERE prover_id = 'big'");
    store = new Store(cluster.dataSource());
  }

  @Test
  void withNothingWaitingItLocksNoProver() {
    store.inTransaction(
        tx -> {
          IdleForWork look = claim(tx, false);
          assertEquals(new IdleForWork(false, false, List.of()), look);
          assertEquals("3", unlockedIdleProvers(), "another coordinator can still claim all three");
          return null;
        });
  }

  @Test
  void aLaunchedJobLocksTheIdleProversLargestFirst() {
    store.inTransaction(
        tx -> {
          IdleForWork look = claim(tx, true);
          assertEquals(
              List.of(new IdleProver("big", 4), new IdleProver("p1", 1), new IdleProver("p2", 1)),
              look.idle());
          assertEquals("0", unlockedIdleProvers());
          return null;
        });
  }

  @Test
  void aQueuedJobIsWorkToo() {
    cluster.execute(
        "INSERT INTO jobs (block_id, input_path, compute_capacity) VALUES ('b', '/in', 1)");
    store.inTransaction(
        tx -> {
          IdleForWork look = claim(tx, false);
          assertTrue(look.jobsQueued());
          assertFalse(look.ranksWaiting());
          assertEquals(3, look.idle().size());
          return null;
        });
  }

  private static IdleForWork claim(Tx tx, boolean jobQueued) {
    return tx.provers().lockIdleForWork(30, 30, Instant.now(), jobQueued);
  }

  /** Counted from another connection, as a concurrent admission round would claim them. */
  private String unlockedIdleProvers() {
    return cluster.text(
        "SELECT count(*) FROM (SELECT 1 FROM provers WHERE state = 'IDLE' FOR UPDATE SKIP LOCKED) p");
  }
}
