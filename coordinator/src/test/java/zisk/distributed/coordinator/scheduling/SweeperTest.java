package zisk.distributed.coordinator.scheduling;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import zisk.distributed.coordinator.lifecycle.Effects;
import zisk.distributed.coordinator.lifecycle.JobLifecycle;
import zisk.distributed.coordinator.session.ProverSession;
import zisk.distributed.coordinator.session.SessionRegistry;
import zisk.distributed.coordinator.store.Database;
import zisk.distributed.coordinator.store.Store;
import zisk.distributed.coordinator.testing.RecordingStream;
import zisk.distributed.coordinator.testing.SettableClock;
import zisk.distributed.coordinator.testing.TestDatabase;

/** Streams that ended while the database was away: the row still names this coordinator. */
class SweeperTest {

  private final UUID coordinator = UUID.randomUUID();
  private final UUID jobId = UUID.randomUUID();
  private final SessionRegistry sessions = new SessionRegistry();
  private final SettableClock clock = new SettableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private Jdbi jdbi;
  private Sweeper sweeper;

  @BeforeEach
  void proversWhoseStreamsEndedDuringAnOutage() {
    DataSource dataSource = TestDatabase.freshMigratedDataSource();
    jdbi = Database.jdbi(dataSource);
    jdbi.useHandle(
        handle -> {
          handle.execute(
              "INSERT INTO coordinator_instances (instance_id, address, version) VALUES (?, '127.0.0.1:1', 'test')",
              coordinator);
          handle.execute(
              """
          INSERT INTO jobs (job_id, block_id, input_path, compute_capacity, state, phase, attempt, started_at)
          VALUES (?, 'block', '/input', 1, 'RUNNING', 'PARTIAL_CONTRIBUTION', 1, now())
          """,
              jobId);
          // No acknowledgement could be written while the database was down: both heartbeats are
          // stale.
          handle.execute(
              """
          INSERT INTO provers (prover_id, state, compute_units, instance_id, current_job_id, last_heartbeat_at)
          VALUES ('busy', 'BUSY', 1, ?, ?, now() - interval '1 minute'),
                 ('idle', 'IDLE', 1, ?, NULL, now() - interval '1 minute')
          """,
              coordinator,
              jobId,
              coordinator);
          handle.execute(
              """
          INSERT INTO tasks (job_id, attempt, task_type, rank_id, prover_id, compute_units, state, dispatched_at)
          VALUES (?, 1, 'PARTIAL_CONTRIBUTION', 0, 'busy', 1, 'DISPATCHED', now())
          """,
              jobId);
        });
    Store store = new Store(dataSource);
    sweeper =
        new Sweeper(
            store,
            new JobLifecycle(store, coordinator),
            sessions,
            coordinator,
            Duration.ofSeconds(4),
            Duration.ofSeconds(30),
            Duration.ofSeconds(30),
            () -> true,
            clock);
  }

  @Test
  void aBusyProverWhoseStreamEndedDuringAnOutageGetsItsReconnectGrace() {
    sweeper.sweep();

    assertEquals("BUSY no stream, grace running", proverState("busy"));
    assertEquals(
        "RUNNING 1 DISPATCHED",
        jdbi.withHandle(
            handle ->
                handle
                    .createQuery(
                        """
            SELECT j.state || ' ' || j.attempt || ' ' || t.state FROM jobs j JOIN tasks t USING (job_id)
            WHERE j.job_id = :id
            """)
                    .bind("id", jobId)
                    .mapTo(String.class)
                    .one()));
  }

  @Test
  void anIdleProverWhoseStreamEndedDuringAnOutageIsDisconnected() {
    sweeper.sweep();

    assertEquals("DISCONNECTED no stream", proverState("idle"));
  }

  @Test
  void aStreamThisCoordinatorHoldsIsJudgedSilentByItsOwnClock() {
    // The row's heartbeat is a minute old (no flush during the outage), but the stream is alive.
    sessions.put(new ProverSession("busy", 1, new RecordingStream(), clock));
    Effects quiet = sweeper.sweep();

    assertEquals("BUSY on " + coordinator, proverState("busy"));
    assertEquals(Set.of(), quiet.disconnects());

    clock.advance(Duration.ofSeconds(5)); // past the 4 s heartbeat timeout, with nothing heard
    Effects silent = sweeper.sweep();

    assertEquals("DISCONNECTED no stream", proverState("busy"));
    assertEquals(Set.of("busy"), silent.disconnects());
    // Its task is LOST and its rank waits for a replacement (RankRecovery); the job keeps running.
    assertEquals(
        "RUNNING 1 LOST",
        jdbi.withHandle(
            handle ->
                handle
                    .createQuery(
                        """
            SELECT j.state || ' ' || j.attempt || ' ' || t.state FROM jobs j JOIN tasks t USING (job_id)
            WHERE j.job_id = :id
            """)
                    .bind("id", jobId)
                    .mapTo(String.class)
                    .one()));
  }

  private String proverState(String proverId) {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery(
                    """
            SELECT state || CASE WHEN instance_id IS NULL THEN ' no stream' ELSE ' on ' || instance_id END
                   || CASE WHEN stream_lost_at IS NOT NULL THEN ', grace running' ELSE '' END
            FROM provers WHERE prover_id = :id
            """)
                .bind("id", proverId)
                .mapTo(String.class)
                .one());
  }
}
