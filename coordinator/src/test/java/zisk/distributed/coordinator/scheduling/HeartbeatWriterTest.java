package zisk.distributed.coordinator.scheduling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.UUID;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import zisk.distributed.coordinator.store.Database;
import zisk.distributed.coordinator.store.Store;
import zisk.distributed.coordinator.testing.TestDatabase;

/** Heartbeat flushes never wait on a transition: a prover whose row is locked waits a flush. */
class HeartbeatWriterTest {

  @Test
  void aProverInATransitionIsSkippedWithoutWaitingAndWrittenByTheNextFlush() throws Exception {
    DataSource dataSource = TestDatabase.freshMigratedDataSource();
    Jdbi jdbi = Database.jdbi(dataSource);
    UUID coordinator = UUID.randomUUID();
    jdbi.useHandle(
        h -> {
          h.execute(
              "INSERT INTO coordinator_instances (instance_id, address, version)"
                  + " VALUES (?, '127.0.0.1:1', 't')",
              coordinator);
          for (String prover : new String[] {"busy", "free"}) {
            h.execute(
                "INSERT INTO provers (prover_id, state, compute_units, instance_id,"
                    + " last_heartbeat_at) VALUES (?, 'IDLE', 1, ?, now() - interval '1 hour')",
                prover,
                coordinator);
          }
        });
    HeartbeatWriter writer = new HeartbeatWriter(new Store(dataSource), coordinator);
    writer.ack("busy");
    writer.ack("free");

    try (Connection transition = dataSource.getConnection()) {
      // given: a transition holds the row of "busy"
      transition.setAutoCommit(false);
      try (Statement lock = transition.createStatement()) {
        lock.execute("SELECT 1 FROM provers WHERE prover_id = 'busy' FOR UPDATE");
      }

      // when / then: the flush writes the other one and does not wait
      int written = assertTimeoutPreemptively(Duration.ofSeconds(10), writer::flush);
      assertEquals(1, written);
      assertTrue(heardRecently(jdbi, "free"));
      transition.commit();
    }

    // and the skipped acknowledgement is written by the next flush
    assertEquals(1, writer.flush());
    assertTrue(heardRecently(jdbi, "busy"));
  }

  private static boolean heardRecently(Jdbi jdbi, String prover) {
    OffsetDateTime at =
        jdbi.withHandle(
            h ->
                h.createQuery("SELECT last_heartbeat_at FROM provers WHERE prover_id = ?")
                    .bind(0, prover)
                    .mapTo(OffsetDateTime.class)
                    .one());
    return at.isAfter(OffsetDateTime.now().minusMinutes(1));
  }
}
