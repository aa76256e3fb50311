package zisk.distributed.coordinator.scheduling;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import zisk.distributed.coordinator.session.ProverSession;
import zisk.distributed.coordinator.session.SessionRegistry;
import zisk.distributed.coordinator.store.Database;
import zisk.distributed.coordinator.store.Store;
import zisk.distributed.coordinator.testing.RecordingStream;
import zisk.distributed.coordinator.testing.SettableClock;
import zisk.distributed.coordinator.testing.TestDatabase;

/**
 * The rows of coordinator instances: a coordinator that was judged dead lets go of the streams it
 * no longer holds, and the rows of instances gone for good are pruned.
 */
class InstanceRowsTest {

  private final UUID self = UUID.randomUUID();
  private final UUID other = UUID.randomUUID();
  private Jdbi jdbi;
  private Store store;

  @BeforeEach
  void database() {
    DataSource dataSource = TestDatabase.freshMigratedDataSource();
    jdbi = Database.jdbi(dataSource);
    store = new Store(dataSource);
    jdbi.useHandle(
        handle ->
            handle.execute(
                """
            INSERT INTO coordinator_instances (instance_id, address, version)
            VALUES (?, '127.0.0.1:1', 'test'), (?, '127.0.0.1:2', 'test')
            """,
                self,
                other));
  }

  @Test
  void streamsOfProversTakenOverElsewhereAreClosedAndTheOthersKept() {
    jdbi.useHandle(
        handle ->
            handle.execute(
                """
            INSERT INTO provers (prover_id, state, compute_units, instance_id, session_epoch, disconnected_at)
            VALUES ('kept', 'IDLE', 1, ?, 3, NULL),
                   ('moved', 'IDLE', 1, ?, 1, NULL),
                   ('reconnected', 'IDLE', 1, ?, 2, NULL),
                   ('disconnected', 'DISCONNECTED', 1, NULL, 1, now())
            """,
                self,
                other,
                self));
    SessionRegistry sessions = new SessionRegistry();
    SettableClock clock = new SettableClock(Instant.parse("2026-01-01T00:00:00Z"));
    sessions.put(new ProverSession("kept", 3, new RecordingStream(), clock));
    sessions.put(new ProverSession("moved", 1, new RecordingStream(), clock));
    // Its row is a later session's (it registered again, here or elsewhere): this one is stale.
    sessions.put(new ProverSession("reconnected", 1, new RecordingStream(), clock));
    sessions.put(new ProverSession("disconnected", 1, new RecordingStream(), clock));

    int closed = new TakenOverStreams(store, sessions, self).close();

    assertEquals(3, closed);
    assertEquals(
        Set.of("kept"),
        sessions.all().stream().map(ProverSession::proverId).collect(Collectors.toSet()));
  }

  @Test
  void instancesGoneLongerThanTheRetentionAndNamedByNoProverArePruned() {
    UUID stopped = UUID.randomUUID();
    UUID crashed = UUID.randomUUID();
    UUID stillNamed = UUID.randomUUID();
    UUID recent = UUID.randomUUID();
    jdbi.useHandle(
        handle -> {
          handle.execute(
              """
          INSERT INTO coordinator_instances (instance_id, address, version, last_seen_at, stopped_at)
          VALUES (?, 'a', 'test', now() - interval '3 hours', now() - interval '3 hours'),
                 (?, 'b', 'test', now() - interval '3 hours', NULL),
                 (?, 'c', 'test', now() - interval '3 hours', NULL),
                 (?, 'd', 'test', now() - interval '30 minutes', now() - interval '30 minutes')
          """,
              stopped,
              crashed,
              stillNamed,
              recent);
          // Not settled yet by the orphan sweep: its instance must stay until it is.
          handle.execute(
              "INSERT INTO provers (prover_id, state, compute_units, instance_id) VALUES ('p', 'IDLE', 1, ?)",
              stillNamed);
        });

    int pruned = Pruning.instances(store, Duration.ofHours(2)).prune();

    assertEquals(2, pruned);
    assertEquals(Set.of(self, other, stillNamed, recent), Set.copyOf(instances()));
  }

  private List<UUID> instances() {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery("SELECT instance_id FROM coordinator_instances")
                .mapTo(UUID.class)
                .list());
  }
}
