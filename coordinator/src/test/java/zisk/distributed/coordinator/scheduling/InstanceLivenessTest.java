package zisk.distributed.coordinator.scheduling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import zisk.distributed.coordinator.config.InstanceTiming;
import zisk.distributed.coordinator.lifecycle.JobLifecycle;
import zisk.distributed.coordinator.session.SessionRegistry;
import zisk.distributed.coordinator.store.Database;
import zisk.distributed.coordinator.store.Store;
import zisk.distributed.coordinator.testing.SettableClock;
import zisk.distributed.coordinator.testing.TestDatabase;

/**
 * After a PostgreSQL outage longer than the instance liveness window every coordinator's row is
 * stale: the first one back must not take the others for dead and re-queue their work. Only a
 * coordinator in touch with the database for a whole window judges, and then only a really silent
 * one looks dead.
 */
class InstanceLivenessTest {

  private static final InstanceTiming TIMING =
      new InstanceTiming(Duration.ofSeconds(6), Duration.ofHours(1));

  private final UUID self = UUID.randomUUID();
  private final UUID other = UUID.randomUUID();
  private final UUID jobId = UUID.randomUUID();
  private final SettableClock clock = new SettableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private Jdbi jdbi;
  private Store store;

  @BeforeEach
  void twoCoordinatorsJustAfterALongOutage() {
    DataSource dataSource = TestDatabase.freshMigratedDataSource();
    jdbi = Database.jdbi(dataSource);
    store = new Store(dataSource);
    jdbi.useHandle(
        handle -> {
          // Neither row could be written for a minute; the other coordinator holds a busy prover.
          handle.execute(
              """
          INSERT INTO coordinator_instances (instance_id, address, version, last_seen_at)
          VALUES (?, '127.0.0.1:1', 'test', now() - interval '1 minute'),
                 (?, '127.0.0.1:2', 'test', now() - interval '1 minute')
          """,
              self,
              other);
          handle.execute(
              """
          INSERT INTO jobs (job_id, block_id, input_path, compute_capacity, state, phase, attempt, started_at)
          VALUES (?, 'block', '/input', 1, 'RUNNING', 'PARTIAL_CONTRIBUTION', 1, now())
          """,
              jobId);
          handle.execute(
              """
          INSERT INTO provers (prover_id, state, compute_units, instance_id, current_job_id, last_heartbeat_at)
          VALUES ('theirs', 'BUSY', 1, ?, ?, now() - interval '1 minute')
          """,
              other,
              jobId);
          handle.execute(
              """
          INSERT INTO tasks (job_id, attempt, task_type, rank_id, prover_id, compute_units, state, dispatched_at)
          VALUES (?, 1, 'PARTIAL_CONTRIBUTION', 0, 'theirs', 1, 'DISPATCHED', now())
          """,
              jobId);
        });
  }

  @Test
  void theFirstCoordinatorBackJudgesNobodyUntilItHasBeenInTouchForAWholeWindow() {
    // Its last successful heartbeat was a minute ago, as the rows say.
    InstanceHeartbeat heartbeat =
        new InstanceHeartbeat(store, self, TIMING, clock, clock.instant().minusSeconds(60));
    Sweeper sweeper = sweeper(heartbeat);
    assertFalse(heartbeat.mayJudgeOthers(), "a coordinator without a recent heartbeat judges");

    assertTrue(heartbeat.beat(), "the database is back");
    sweeper.sweep();

    assertFalse(heartbeat.mayJudgeOthers());
    assertEquals("BUSY RUNNING 1 DISPATCHED", state());

    // The other coordinator comes back too and writes its row; ours keeps beating for a window.
    touch(other);
    beatFor(heartbeat, TIMING.liveness().plusSeconds(1));
    assertTrue(heartbeat.mayJudgeOthers());
    sweeper.sweep();

    assertEquals("BUSY RUNNING 1 DISPATCHED", state(), "a live coordinator's work was re-queued");
  }

  @Test
  void aCoordinatorThatStaysSilentIsJudgedDeadOnceTheJudgeHasBeenInTouchForAWindow() {
    InstanceHeartbeat heartbeat =
        new InstanceHeartbeat(store, self, TIMING, clock, clock.instant().minusSeconds(60));
    Sweeper sweeper = sweeper(heartbeat);
    assertTrue(heartbeat.beat());
    beatFor(heartbeat, TIMING.liveness().plusSeconds(1));

    sweeper.sweep();

    // Its prover is lost; the job keeps running while the lost rank waits for a replacement.
    assertEquals("DISCONNECTED RUNNING 1 LOST", state());
  }

  @Test
  void aCoordinatorJustStartedJudgesAtOnceAndStopsWhenItsOwnHeartbeatsStop() {
    InstanceHeartbeat heartbeat =
        new InstanceHeartbeat(store, self, TIMING, clock, clock.instant());
    assertTrue(heartbeat.mayJudgeOthers(), "a new coordinator saw no outage");

    // Three heartbeat periods without a write (the database unreachable from here).
    clock.advance(TIMING.heartbeat().multipliedBy(3).plusMillis(1));

    assertFalse(heartbeat.mayJudgeOthers());
    assertTrue(heartbeat.beat());
    assertFalse(heartbeat.mayJudgeOthers(), "judged right after its link came back");
  }

  private Sweeper sweeper(InstanceHeartbeat heartbeat) {
    return new Sweeper(
        store,
        new JobLifecycle(store, self),
        new SessionRegistry(),
        self,
        Duration.ofSeconds(4),
        Duration.ofSeconds(4),
        TIMING.liveness(),
        heartbeat::mayJudgeOthers,
        clock);
  }

  /** Heartbeats every period for {@code span} of the coordinator's clock. */
  private void beatFor(InstanceHeartbeat heartbeat, Duration span) {
    Instant end = clock.instant().plus(span);
    while (clock.instant().isBefore(end)) {
      clock.advance(heartbeat.period());
      assertTrue(heartbeat.beat());
    }
  }

  private void touch(UUID instance) {
    jdbi.useHandle(
        handle ->
            handle.execute(
                "UPDATE coordinator_instances SET last_seen_at = now() WHERE instance_id = ?",
                instance));
  }

  private String state() {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery(
                    """
            SELECT p.state || ' ' || j.state || ' ' || j.attempt || ' ' || t.state
            FROM jobs j JOIN tasks t USING (job_id), provers p
            WHERE j.job_id = :id AND p.prover_id = 'theirs'
            """)
                .bind("id", jobId)
                .mapTo(String.class)
                .one());
  }
}
