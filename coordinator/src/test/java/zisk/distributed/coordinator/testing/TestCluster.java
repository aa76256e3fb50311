package zisk.distributed.coordinator.testing;

import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.result.ResultIterable;
import org.jdbi.v3.core.statement.Query;
import zisk.distributed.coordinator.store.Database;

/**
 * A fresh migrated database holding one coordinator's instance row and idle one-unit provers whose
 * streams it holds, for tests that drive the lifecycle directly; and the rows they read back, as
 * text.
 */
public final class TestCluster {

  private final UUID coordinator = UUID.randomUUID();
  private final DataSource dataSource;
  private final Jdbi jdbi;

  private TestCluster(DataSource dataSource) {
    this.dataSource = dataSource;
    this.jdbi = Database.jdbi(dataSource);
  }

  /** A fresh database with these provers, IDLE with one unit each, on this coordinator. */
  public static TestCluster withIdleProvers(String... proverIds) {
    TestCluster cluster = new TestCluster(TestDatabase.freshMigratedDataSource());
    cluster.jdbi.useHandle(
        handle -> {
          handle.execute(
              "INSERT INTO coordinator_instances (instance_id, address, version) VALUES (?, '127.0.0.1:1', 't')",
              cluster.coordinator);
          for (String proverId : proverIds) {
            handle.execute(
                "INSERT INTO provers (prover_id, state, compute_units, instance_id) VALUES (?, 'IDLE', 1, ?)",
                proverId,
                cluster.coordinator);
          }
        });
    return cluster;
  }

  /** The coordinator instance that holds the provers' streams. */
  public UUID coordinator() {
    return coordinator;
  }

  public DataSource dataSource() {
    return dataSource;
  }

  /** Runs one statement, for set-up the lifecycle has no transition for. */
  public void execute(String sql, Object... arguments) {
    jdbi.useHandle(handle -> handle.execute(sql, arguments));
  }

  /** The one column of the one row {@code sql} selects, as text (null for SQL NULL). */
  public String text(String sql, Object... arguments) {
    return jdbi.withHandle(handle -> bound(handle.createQuery(sql), arguments).one());
  }

  /** The one column of every row {@code sql} selects, as text, in its order. */
  public List<String> texts(String sql, Object... arguments) {
    return jdbi.withHandle(handle -> bound(handle.createQuery(sql), arguments).list());
  }

  /** The job's events, oldest first. */
  public List<String> events(UUID job) {
    return texts("SELECT event FROM job_events WHERE job_id = ? ORDER BY event_id", job);
  }

  private static ResultIterable<String> bound(Query query, Object[] arguments) {
    for (int i = 0; i < arguments.length; i++) {
      query.bind(i, arguments[i]);
    }
    return query.mapTo(String.class);
  }
}
