package zisk.distributed.coordinator.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import zisk.distributed.coordinator.testing.TestDatabase;

/**
 * The migrations from an empty database, and the constraints that make impossible states
 * impossible.
 */
class MigrationsTest {

  private String jdbcUrl;
  private com.zaxxer.hikari.HikariDataSource dataSource;
  private Jdbi jdbi;

  @BeforeEach
  void emptyDatabase() {
    jdbcUrl = TestDatabase.freshJdbcUrl();
    dataSource = Database.pool(jdbcUrl, 3, Duration.ofSeconds(5));
    jdbi = Database.jdbi(dataSource);
  }

  @AfterEach
  void close() {
    dataSource.close();
  }

  @Test
  void migratesAnEmptyDatabaseToTheTablesAndViewsOfTheDesign() {
    new Migrations(dataSource).prepare(true);

    List<String> relations =
        jdbi.withHandle(
            h ->
                h.createQuery(
                        """
            SELECT table_name FROM information_schema.tables
            WHERE table_schema = 'public' AND table_name <> 'flyway_schema_history' ORDER BY table_name""")
                    .mapTo(String.class)
                    .list());
    assertEquals(
        List.of(
            "coordinator_instances",
            "input_chunks",
            "input_uploads",
            "inputs",
            "job_events",
            "job_history",
            "job_overview",
            "job_timeline",
            "job_watches",
            "jobs",
            "lost_ranks",
            "prover_status",
            "provers",
            "tasks",
            "webhook_deliveries"),
        relations);
    assertEquals("18", new Migrations(dataSource).currentVersion().orElseThrow());
  }

  @Test
  void migratingTwiceChangesNothing() {
    new Migrations(dataSource).prepare(true);
    new Migrations(dataSource).prepare(true);

    assertEquals(
        19L, // 18 versioned migrations and the views
        (long)
            jdbi.withHandle(
                h ->
                    h.createQuery("SELECT count(*) FROM flyway_schema_history")
                        .mapTo(Long.class)
                        .one()));
  }

  /**
   * Coordinators started together on a fresh database (docker-compose.yml, a Kubernetes rollout)
   * migrate it at the same moment: Flyway's PostgreSQL advisory lock lets one apply the migrations
   * while the other waits, then finds nothing left to do.
   */
  @Test
  void twoCoordinatorsMigratingOneFreshDatabaseAtOnceBothStart() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(2);
    CountDownLatch go = new CountDownLatch(1);
    try (var first = Database.pool(jdbcUrl, 3, Duration.ofSeconds(5));
        var second = Database.pool(jdbcUrl, 3, Duration.ofSeconds(5))) {
      List<Future<Optional<String>>> results = new ArrayList<>();
      for (DataSource pool : List.of(first, second)) {
        results.add(
            threads.submit(
                () -> {
                  go.await();
                  Migrations migrations = new Migrations(pool);
                  migrations.prepare(true);
                  return migrations.currentVersion();
                }));
      }
      go.countDown();

      Set<Optional<String>> versions = new HashSet<>();
      for (Future<Optional<String>> result : results) {
        versions.add(result.get(2, TimeUnit.MINUTES));
      }
      assertEquals(1, versions.size(), "both at the same version: " + versions);
      assertTrue(versions.iterator().next().isPresent(), "the schema is migrated");
    } finally {
      threads.shutdownNow();
    }
    assertEquals(
        List.of(0L),
        jdbi.withHandle(
            h ->
                h.createQuery(
                        """
                    SELECT count(*) - count(DISTINCT script) FILTER (WHERE success)
                    FROM flyway_schema_history""")
                    .mapTo(Long.class)
                    .list()),
        "every migration applied exactly once, and successfully");
  }

  @Test
  void refusesASchemaNewerThanItKnows() {
    new Migrations(dataSource).prepare(true);
    jdbi.useHandle(
        h ->
            h.execute(
                """
        INSERT INTO flyway_schema_history
          (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
        VALUES (99, '99', 'from the future', 'SQL', 'V99__from_the_future.sql', 0, 'test', 0, true)"""));

    Migrations.SchemaMismatchException error =
        assertThrows(
            Migrations.SchemaMismatchException.class,
            () -> new Migrations(dataSource).prepare(true));

    assertTrue(
        error.getMessage().contains("newer than this coordinator knows"), error.getMessage());
    assertTrue(error.getMessage().contains("99"), error.getMessage());
  }

  @Test
  void withMigrationOffRefusesASchemaThatIsBehind() {
    Migrations.SchemaMismatchException error =
        assertThrows(
            Migrations.SchemaMismatchException.class,
            () -> new Migrations(dataSource).prepare(false));

    assertTrue(error.getMessage().contains("pending migration"), error.getMessage());
  }

  @Test
  void constraintsRejectImpossibleStates() {
    new Migrations(dataSource).prepare(true);
    jdbi.useHandle(
        h -> {
          h.execute(
              "INSERT INTO coordinator_instances (instance_id, address, version) VALUES ('00000000-0000-0000-0000-000000000001', 'x:1', 't')");
          h.execute(
              "INSERT INTO provers (prover_id, state, compute_units, instance_id) VALUES ('p1', 'IDLE', 2, '00000000-0000-0000-0000-000000000001')");
          h.execute(
              "INSERT INTO jobs (job_id, block_id, input_path, compute_capacity) VALUES ('00000000-0000-0000-0000-0000000000aa', 'b', '/in', 2)");
          h.execute(
              "INSERT INTO jobs (job_id, block_id, input_path, compute_capacity) VALUES ('00000000-0000-0000-0000-0000000000bb', 'b', '/in', 2)");
        });

    // a state name that does not exist
    assertRejected("UPDATE jobs SET state = 'DONE'");
    assertRejected("UPDATE provers SET state = 'SLEEPING'");
    // RUNNING without a phase, COMPLETED without a proof, a proof on an unfinished job
    assertRejected("UPDATE jobs SET state = 'RUNNING'");
    assertRejected("UPDATE jobs SET state = 'COMPLETED', finished_at = now()");
    assertRejected("UPDATE jobs SET final_proof = '\\x00'");
    // a busy prover without a job, an idle one with a job, a disconnected one that still has a
    // stream,
    // a broken stream on a prover that has one, non-positive capacities
    assertRejected("UPDATE provers SET state = 'BUSY'");
    assertRejected("UPDATE provers SET current_job_id = '00000000-0000-0000-0000-0000000000aa'");
    assertRejected("UPDATE provers SET state = 'DISCONNECTED'");
    assertRejected("UPDATE provers SET stream_lost_at = now()");
    assertRejected("UPDATE provers SET compute_units = 0");
    assertRejected(
        "INSERT INTO jobs (block_id, input_path, compute_capacity) VALUES ('b', '/in', 0)");
    // the rules on one column (domains since V17): names, lengths, signs
    assertRejected("UPDATE jobs SET phase = 'VERIFY'");
    assertRejected("UPDATE jobs SET block_id = ''");
    assertRejected("UPDATE jobs SET input_id = 'not-a-sha256'");
    assertRejected("UPDATE jobs SET attempt = -1");
    assertRejected("UPDATE jobs SET launched_by = repeat('t', 65)");
    assertRejected("UPDATE provers SET failure_streak = -1");
    assertRejected("UPDATE provers SET session_secret_hash = '\\x00'");
    assertRejected(
        "INSERT INTO provers (prover_id, state, compute_units) VALUES (repeat('p', 129), 'IDLE', 1)");
    // a webhook URL longer than LaunchProof allows, a delivery finished without a time
    assertRejected("UPDATE jobs SET webhook_url = repeat('u', 2049)");
    assertRejected(
        "INSERT INTO webhook_deliveries (job_id, url, body, state) "
            + "VALUES ('00000000-0000-0000-0000-0000000000aa', 'http://h/', '{}', 'DELIVERED')");
    // a task for a prover or job that does not exist
    assertRejected(
        "INSERT INTO tasks (job_id, attempt, task_type, rank_id, prover_id, compute_units) "
            + "VALUES ('00000000-0000-0000-0000-0000000000aa', 1, 'PROVE', 0, 'nobody', 1)");
    // two active tasks on one prover
    jdbi.useHandle(
        h ->
            h.execute(
                "INSERT INTO tasks (job_id, attempt, task_type, rank_id, prover_id, compute_units) "
                    + "VALUES ('00000000-0000-0000-0000-0000000000aa', 1, 'PARTIAL_CONTRIBUTION', 0, 'p1', 2)"));
    assertRejected(
        "INSERT INTO tasks (job_id, attempt, task_type, rank_id, prover_id, compute_units) "
            + "VALUES ('00000000-0000-0000-0000-0000000000bb', 1, 'PARTIAL_CONTRIBUTION', 0, 'p1', 2)");
    // the same rank of the same phase twice
    assertRejected(
        "INSERT INTO tasks (job_id, attempt, task_type, rank_id, prover_id, compute_units, state) "
            + "VALUES ('00000000-0000-0000-0000-0000000000aa', 1, 'PARTIAL_CONTRIBUTION', 0, 'p1', 2, 'CANCELLED')");
  }

  /**
   * V17 moves the rules on one column into domains: a database made before it keeps its rows, its
   * views are made again, and the rules still hold.
   */
  @Test
  void aDatabaseFromBeforeTheDomainsKeepsItsRowsAndItsRules() {
    org.flywaydb.core.Flyway.configure()
        .dataSource(dataSource)
        .locations("classpath:db/migration")
        .target("16")
        .load()
        .migrate();
    jdbi.useHandle(
        h -> {
          h.execute(
              "INSERT INTO provers (prover_id, state, compute_units) VALUES ('p1', 'IDLE', 2)");
          h.execute(
              "INSERT INTO jobs (job_id, block_id, input_path, compute_capacity) VALUES ('00000000-0000-0000-0000-0000000000aa', 'b', '/in', 2)");
          h.execute(
              "INSERT INTO tasks (job_id, attempt, task_type, rank_id, prover_id, compute_units) "
                  + "VALUES ('00000000-0000-0000-0000-0000000000aa', 1, 'PARTIAL_CONTRIBUTION', 0, 'p1', 2)");
        });

    new Migrations(dataSource).prepare(true);

    assertEquals("18", new Migrations(dataSource).currentVersion().orElseThrow());
    assertEquals(
        List.of("QUEUED p1"),
        jdbi.withHandle(
            h ->
                h.createQuery(
                        "SELECT o.state || ' ' || t.prover_id FROM job_overview o"
                            + " JOIN tasks t ON t.job_id = o.job_id")
                    .mapTo(String.class)
                    .list()));
    assertRejected("UPDATE jobs SET state = 'DONE'");
    assertRejected("UPDATE tasks SET rank_id = -1");
    assertRejected("UPDATE provers SET compute_units = 0");
  }

  private void assertRejected(String sql) {
    assertThrows(
        UnableToExecuteStatementException.class,
        () -> jdbi.useHandle((Handle h) -> h.execute(sql)),
        sql);
  }
}
