package zisk.distributed.coordinator.scheduling;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import zisk.distributed.coordinator.store.Database;
import zisk.distributed.coordinator.store.Store;
import zisk.distributed.coordinator.testing.TestDatabase;

/** DISCONNECTED provers are forgotten after the retention period; no other prover is. */
class ProverPruningTest {

  @Test
  void prunesOnlyProversDisconnectedForLongerThanTheRetention() {
    DataSource dataSource = TestDatabase.freshMigratedDataSource();
    Jdbi jdbi = Database.jdbi(dataSource);
    UUID coordinator = UUID.randomUUID();
    UUID jobId = UUID.randomUUID();
    jdbi.useHandle(
        handle -> {
          handle.execute(
              "INSERT INTO coordinator_instances (instance_id, address, version) VALUES (?, 'x:1', 't')",
              coordinator);
          handle.execute(
              """
          INSERT INTO jobs (job_id, block_id, input_path, compute_capacity, state, phase, attempt, started_at, finished_at)
          VALUES (?, 'block', '/input', 1, 'FAILED', 'PARTIAL_CONTRIBUTION', 1, now(), now())
          """,
              jobId);
          handle.execute(
              """
          INSERT INTO provers (prover_id, state, compute_units, instance_id, connected_at, disconnected_at)
          VALUES ('gone-long-ago', 'DISCONNECTED', 1, NULL, now() - interval '3 days', now() - interval '25 hours'),
                 ('worked-long-ago', 'DISCONNECTED', 1, NULL, now() - interval '3 days', now() - interval '30 hours'),
                 ('gone-recently', 'DISCONNECTED', 1, NULL, now() - interval '3 days', now() - interval '23 hours'),
                 ('idle-for-days', 'IDLE', 1, ?, now() - interval '3 days', NULL)
          """,
              coordinator);
          // Its task keeps the prover's id as history once the prover is pruned.
          handle.execute(
              """
          INSERT INTO tasks (job_id, attempt, task_type, rank_id, prover_id, compute_units, state, finished_at)
          VALUES (?, 1, 'PARTIAL_CONTRIBUTION', 0, 'worked-long-ago', 1, 'LOST', now())
          """,
              jobId);
        });

    int pruned = Pruning.provers(new Store(dataSource), Duration.ofHours(24)).prune();

    assertEquals(2, pruned);
    assertEquals(
        List.of("gone-recently", "idle-for-days"),
        jdbi.withHandle(
            h ->
                h.createQuery("SELECT prover_id FROM provers ORDER BY prover_id")
                    .mapTo(String.class)
                    .list()));
    assertEquals(
        List.of("worked-long-ago"),
        jdbi.withHandle(
            h -> h.createQuery("SELECT prover_id FROM tasks").mapTo(String.class).list()));
  }
}
