package zisk.distributed.coordinator.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import zisk.distributed.coordinator.store.Database;
import zisk.distributed.coordinator.store.Store;
import zisk.distributed.coordinator.testing.TestDatabase;

/**
 * A prover whose coordinator died comes back with a plain register, or with a reconnect that does
 * or does not prove its session: what happens to its task.
 */
class ProverRegistrationsTest {

  private final UUID deadCoordinator = UUID.randomUUID();
  private final UUID thisCoordinator = UUID.randomUUID();
  private final UUID jobId = UUID.randomUUID();
  private Jdbi jdbi;
  private ProverRegistrations registrations;

  @BeforeEach
  void jobAssignedToAProverOfADeadCoordinator() {
    DataSource dataSource = TestDatabase.freshMigratedDataSource();
    jdbi = Database.jdbi(dataSource);
    jdbi.useHandle(
        handle -> {
          handle.execute(
              """
          INSERT INTO coordinator_instances (instance_id, address, version, last_seen_at)
          VALUES (?, '127.0.0.1:1', 'test', now() - interval '1 hour'), (?, '127.0.0.1:2', 'test', now())
          """,
              deadCoordinator,
              thisCoordinator);
          handle.execute(
              """
          INSERT INTO jobs (job_id, block_id, input_path, compute_capacity, state, phase, attempt, started_at)
          VALUES (?, 'block', '/input', 2, 'RUNNING', 'PARTIAL_CONTRIBUTION', 1, now())
          """,
              jobId);
          // w1's stream died with its coordinator while it was idle; admission then gave it rank 0.
          handle.execute(
              """
          INSERT INTO provers (prover_id, state, compute_units, instance_id, current_job_id, last_heartbeat_at)
          VALUES ('w1', 'BUSY', 1, ?, ?, now() - interval '1 hour'), ('w2', 'BUSY', 1, ?, ?, now())
          """,
              deadCoordinator,
              jobId,
              thisCoordinator,
              jobId);
          handle.execute(
              """
          INSERT INTO tasks (job_id, attempt, task_type, rank_id, prover_id, compute_units, state, dispatched_at)
          VALUES (?, 1, 'PARTIAL_CONTRIBUTION', 0, 'w1', 1, 'ASSIGNED', NULL),
                 (?, 1, 'PARTIAL_CONTRIBUTION', 1, 'w2', 1, 'DISPATCHED', now())
          """,
              jobId,
              jobId);
        });
    Store store = new Store(dataSource);
    registrations =
        new ProverRegistrations(
            store,
            new JobLifecycle(store, thisCoordinator),
            thisCoordinator,
            Duration.ofSeconds(4),
            proverId -> false);
  }

  @Test
  void aProverRegisteringWithATaskNeverSentToItKeepsIt() {
    ProverRegistrations.Outcome outcome = registrations.register("w1", 1);

    assertInstanceOf(ProverRegistrations.Outcome.Accepted.class, outcome);
    assertEquals("RUNNING 1", jobStateAndAttempt());
    assertEquals("ASSIGNED", taskStateOf("w1"));
    assertEquals(
        "BUSY " + thisCoordinator,
        jdbi.withHandle(
            handle ->
                handle
                    .createQuery(
                        "SELECT state || ' ' || instance_id FROM provers WHERE prover_id = 'w1'")
                    .mapTo(String.class)
                    .one()));
  }

  @Test
  void aProverRegisteringWithoutTheStateOfATaskItWasSentLosesItsRank() {
    jdbi.useHandle(
        handle ->
            handle.execute(
                "UPDATE tasks SET state = 'DISPATCHED', dispatched_at = now() WHERE prover_id = 'w1'"));

    registrations.register("w1", 1);

    // Its work is lost: its rank waits for a replacement (RankRecovery); the job keeps running.
    assertEquals("RUNNING 1, rank 0 waiting", jobStateAndAttempt() + waitingRanks());
    assertEquals("LOST", taskStateOf("w1"));
  }

  @Test
  void aReconnectPresentingItsSessionSecretResumesItsWork() {
    givenSessionSecretOfW1("the-secret");

    ProverRegistrations.Outcome outcome =
        registrations.register(
            "w1",
            1,
            Optional.of(new ProverRegistrations.Reconnect(Optional.of(jobId), "the-secret")));

    ProverRegistrations.Outcome.Accepted accepted =
        assertInstanceOf(ProverRegistrations.Outcome.Accepted.class, outcome);
    assertEquals(Optional.of(jobId), accepted.resumedJob());
    assertEquals(Optional.empty(), accepted.sessionSecret(), "the session keeps its secret");
    assertTrue(storedHashIsOf("the-secret"));
    assertEquals("RUNNING 1", jobStateAndAttempt());
    assertEquals("ASSIGNED", taskStateOf("w1"));
  }

  @Test
  void aReconnectWithAWrongSecretIsANewRegistrationThatLosesEvenWorkNeverSent() {
    givenSessionSecretOfW1("the-secret");

    ProverRegistrations.Outcome outcome =
        registrations.register(
            "w1", 1, Optional.of(new ProverRegistrations.Reconnect(Optional.of(jobId), "guessed")));

    ProverRegistrations.Outcome.Accepted accepted =
        assertInstanceOf(ProverRegistrations.Outcome.Accepted.class, outcome);
    assertEquals(Optional.empty(), accepted.resumedJob());
    assertTrue(
        accepted.effects().cancellations().stream().noneMatch(c -> c.proverId().equals("w1")),
        "nothing about the job is sent to the new session");
    String newSecret = accepted.sessionSecret().orElseThrow();
    assertTrue(storedHashIsOf(newSecret), "the new session's secret replaces the old one");
    assertFalse(storedHashIsOf("the-secret"));
    // Its work is lost: its rank waits for a replacement (RankRecovery); the job keeps running.
    assertEquals("RUNNING 1, rank 0 waiting", jobStateAndAttempt() + waitingRanks());
    assertEquals("LOST", taskStateOf("w1"));
  }

  @Test
  void aReconnectWithoutASecretOnARowThatNeverHadOneIsANewRegistration() {
    ProverRegistrations.Outcome outcome =
        registrations.register(
            "w1", 1, Optional.of(new ProverRegistrations.Reconnect(Optional.of(jobId), "")));

    ProverRegistrations.Outcome.Accepted accepted =
        assertInstanceOf(ProverRegistrations.Outcome.Accepted.class, outcome);
    assertEquals(Optional.empty(), accepted.resumedJob());
    assertTrue(storedHashIsOf(accepted.sessionSecret().orElseThrow()));
    // Its work is lost: its rank waits for a replacement (RankRecovery); the job keeps running.
    assertEquals("RUNNING 1, rank 0 waiting", jobStateAndAttempt() + waitingRanks());
    assertEquals("LOST", taskStateOf("w1"));
  }

  @Test
  void aFirstRegistrationIssuesASecretThatOnlyItsHashIsKeptOf() {
    ProverRegistrations.Outcome.Accepted accepted =
        assertInstanceOf(
            ProverRegistrations.Outcome.Accepted.class, registrations.register("w3", 1));

    String secret = accepted.sessionSecret().orElseThrow();
    assertEquals(43, secret.length(), "32 random bytes, base64url");
    assertTrue(storedHashIsOf(secret));
  }

  private void givenSessionSecretOfW1(String secret) {
    jdbi.useHandle(
        handle ->
            handle.execute(
                "UPDATE provers SET session_secret_hash = sha256(convert_to(?, 'UTF8')) WHERE prover_id = 'w1'",
                secret));
  }

  private boolean storedHashIsOf(String secret) {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery(
                    "SELECT count(*) = 1 FROM provers WHERE session_secret_hash = sha256(convert_to(:secret, 'UTF8'))")
                .bind("secret", secret)
                .mapTo(Boolean.class)
                .one());
  }

  private String waitingRanks() {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery(
                    "SELECT string_agg(', rank ' || rank_id || ' waiting', '') FROM lost_ranks WHERE replaced_by IS NULL")
                .mapTo(String.class)
                .one());
  }

  private String jobStateAndAttempt() {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery("SELECT state || ' ' || attempt FROM jobs WHERE job_id = :id")
                .bind("id", jobId)
                .mapTo(String.class)
                .one());
  }

  private String taskStateOf(String proverId) {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery("SELECT state FROM tasks WHERE prover_id = :id")
                .bind("id", proverId)
                .mapTo(String.class)
                .one());
  }
}
