package zisk.distributed.coordinator.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;
import org.junit.jupiter.api.Test;
import zisk.distributed.coordinator.testing.TestCluster;

/**
 * New jobs and tasks get time-ordered ids (UUID version 7, V18), so each index that leads with one
 * is written at its right-hand edge.
 */
class TimeOrderedIdsTest {

  @Test
  void jobAndTaskIdsAreVersion7UuidsThatCarryTheirCreationTime() {
    TestCluster cluster = TestCluster.withIdleProvers("gpu-1");
    long before = System.currentTimeMillis();
    UUID job = newJob(cluster);
    UUID task =
        UUID.fromString(
            cluster.text(
                """
                INSERT INTO tasks (job_id, attempt, task_type, rank_id, prover_id, compute_units)
                VALUES (?, 1, 'PARTIAL_CONTRIBUTION', 0, 'gpu-1', 1) RETURNING task_id
                """,
                job));
    long after = System.currentTimeMillis();

    for (UUID id : new UUID[] {job, task}) {
      assertEquals(7, id.version(), id.toString());
      assertEquals(2, id.variant(), id.toString()); // RFC 9562
      long millis = id.getMostSignificantBits() >>> 16;
      // the database's clock, not this JVM's: a minute either way for a server elsewhere
      assertTrue(millis > before - 60_000 && millis < after + 60_000, id + " at " + millis);
    }
  }

  @Test
  void aLaterIdSortsAfterAnEarlierOneAsPostgreSqlComparesThem() {
    TestCluster cluster = TestCluster.withIdleProvers("gpu-1");
    UUID first = newJob(cluster);
    cluster.text("SELECT pg_sleep(0.005)::text"); // a later millisecond, whatever the clock
    UUID second = newJob(cluster);

    assertEquals("t", cluster.text("SELECT ?::uuid < ?::uuid", first, second));
  }

  private static UUID newJob(TestCluster cluster) {
    return UUID.fromString(
        cluster.text(
            "INSERT INTO jobs (block_id, input_path, compute_capacity) VALUES ('b', '/in', 1)"
                + " RETURNING job_id"));
  }
}
