package zisk.distributed.coordinator.store;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.postgresql.ds.PGSimpleDataSource;
import zisk.distributed.coordinator.testing.TestDatabase;

/**
 * Job events notify (the WatchJob wake-up) only for jobs some coordinator watches (V13), from the
 * trigger that also takes the event's id (V15).
 */
class JobWatchesTest {

  private final UUID coordinator = UUID.randomUUID();
  private String jdbcUrl;
  private Store store;

  /** Notifications received and not yet asserted, in arrival order. */
  private final Deque<String> payloads = new ArrayDeque<>();

  @BeforeEach
  void migrate() {
    jdbcUrl = TestDatabase.freshJdbcUrl();
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setURL(jdbcUrl);
    new Migrations(dataSource).prepare(true);
    store = new Store(dataSource);
    TestDatabase.execute(
        jdbcUrl,
        "INSERT INTO coordinator_instances (instance_id, address, version)"
            + " VALUES ('"
            + coordinator
            + "', '127.0.0.1:1', 't')");
  }

  @Test
  void onlyAWatchedJobsEventsNotifyAndNoLongerOnceUnwatched() throws Exception {
    UUID watched = job();
    UUID unwatched = job();
    UUID later = job();
    store.read(tx -> tx.events().watch(watched, coordinator));
    store.read(tx -> tx.events().watch(later, coordinator));

    try (Connection listener = listener()) {
      // Notifications arrive in commit order: had the first event notified, it would come first.
      event(unwatched);
      event(watched);
      assertEquals(watched.toString(), next(listener));

      store.read(tx -> tx.events().unwatch(watched, coordinator));
      event(watched);
      event(later);
      assertEquals(later.toString(), next(listener));
    }
  }

  @Test
  void anEventThatIsNotWrittenWakesNoOne() throws Exception {
    UUID watched = job();
    UUID other = job();
    store.read(tx -> tx.events().watch(watched, coordinator));
    store.read(tx -> tx.events().watch(other, coordinator));

    try (Connection listener = listener()) {
      // The trigger queues the wake-up before the row's checks run; this row fails one of them.
      assertThrows(
          IllegalStateException.class,
          () ->
              TestDatabase.execute(
                  jdbcUrl,
                  "INSERT INTO job_events (job_id, event, state, token_name) VALUES ('"
                      + watched
                      + "', 'NOTE', 'QUEUED', '')"));
      event(other);
      assertEquals(other.toString(), next(listener));
    }
  }

  private UUID job() {
    UUID id = UUID.randomUUID();
    TestDatabase.execute(
        jdbcUrl,
        "INSERT INTO jobs (job_id, block_id, input_path, compute_capacity) VALUES ('"
            + id
            + "', 'b', '/in', 1)");
    return id;
  }

  private void event(UUID job) {
    TestDatabase.execute(
        jdbcUrl,
        "INSERT INTO job_events (job_id, event, state) VALUES ('" + job + "', 'NOTE', 'QUEUED')");
  }

  /** A connection listening to the job-event wake-ups. */
  private Connection listener() throws Exception {
    Connection listener = DriverManager.getConnection(jdbcUrl);
    try (Statement listen = listener.createStatement()) {
      listen.execute("LISTEN zisk_job_event");
    }
    return listener;
  }

  /** The payload of the next notification, waiting at most 10 s. */
  private String next(Connection listener) {
    PGConnection pg;
    try {
      pg = listener.unwrap(PGConnection.class);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              PGNotification[] received = pg.getNotifications(100);
              if (received != null) {
                for (PGNotification notification : received) {
                  payloads.add(notification.getParameter());
                }
              }
              return !payloads.isEmpty();
            });
    return payloads.remove();
  }
}
