package zisk.distributed.coordinator.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.postgres.PostgresPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.coordinator.config.CoordinatorConfig;
import zisk.distributed.coordinator.config.DatabaseUrls;

/**
 * The coordinator's connection to PostgreSQL: a HikariCP pool over the configured server, or over
 * an embedded PostgreSQL whose data directory persists between runs.
 */
public final class Database implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Database.class);

  private final HikariDataSource dataSource;
  private final EmbeddedPostgres embedded;
  private final Jdbi jdbi;

  private Database(HikariDataSource dataSource, EmbeddedPostgres embedded) {
    this.dataSource = dataSource;
    this.embedded = embedded;
    this.jdbi = jdbi(dataSource);
  }

  /** The JDBC URL of the database, for connections outside the pool (the notification listener). */
  public String jdbcUrl() {
    return dataSource.getJdbcUrl();
  }

  /**
   * A Jdbi over the data source, for start-up checks, health probes and tests (the store uses
   * JDBC).
   */
  public static Jdbi jdbi(DataSource dataSource) {
    return Jdbi.create(dataSource).installPlugin(new PostgresPlugin());
  }

  /** Opens the configured database; starts the embedded one when no URL is configured. */
  public static Database open(CoordinatorConfig config) {
    if (config.databaseUrl().isPresent()) {
      String url = config.databaseUrl().get();
      log.info("Using PostgreSQL at {}", DatabaseUrls.redact(url));
      return new Database(pool(url, config.poolSize(), config.databaseTimeout()), null);
    }
    EmbeddedPostgres embedded = startEmbedded(config.dataDir());
    String url = embedded.getJdbcUrl("postgres", "postgres");
    log.info("Using embedded PostgreSQL in {} (port {})", config.dataDir(), embedded.getPort());
    return new Database(pool(url, config.poolSize(), config.databaseTimeout()), embedded);
  }

  private static EmbeddedPostgres startEmbedded(Path dataDir) {
    try {
      Files.createDirectories(dataDir);
      return EmbeddedPostgres.builder()
          .setDataDirectory(dataDir)
          .setCleanDataDirectory(false)
          .setPGStartupWait(Duration.ofSeconds(60))
          // The library starts PostgreSQL with fsync and synchronous_commit off (made for tests);
          // a committed transition must survive a crash of the machine.
          .setServerConfig("fsync", "on")
          .setServerConfig("synchronous_commit", "on")
          // The coordinator stops it itself, after marking its instance row stopped.
          .setRegisterShutdownHook(false)
          .start();
    } catch (IOException | RuntimeException e) {
      throw new DatabaseStartException(
          "cannot start the embedded PostgreSQL in "
              + dataDir
              + " (is another coordinator using it? use --data-dir or --database-url): "
              + e.getMessage(),
          e);
    }
  }

  /**
   * A pool that fails fast: a request waits at most {@code timeout} for a connection, so an
   * unreachable database becomes SYSTEM_UNAVAILABLE instead of a hung call, and the pool keeps
   * retrying in the background so service resumes by itself when the database returns.
   */
  static HikariDataSource pool(String jdbcUrl, int poolSize, Duration timeout) {
    HikariConfig hikari = new HikariConfig();
    hikari.setPoolName("zisk-coordinator");
    hikari.setJdbcUrl(jdbcUrl);
    hikari.setMaximumPoolSize(poolSize);
    hikari.setMinimumIdle(Math.min(2, poolSize));
    hikari.setConnectionTimeout(timeout.toMillis());
    hikari.setValidationTimeout(Math.max(250, Math.min(timeout.toMillis(), 1000)));
    // Start even when the database is down right now; start-up waits for it explicitly.
    hikari.setInitializationFailTimeout(-1);
    String seconds = String.valueOf(Math.max(1, timeout.toSeconds()));
    hikari.addDataSourceProperty("connectTimeout", seconds);
    // A proxy or balancer in front of a PostgreSQL that is down may accept the connection and
    // never answer: without a bound the pool's one creator thread waits for the socket timeout,
    // and nothing gets a connection for 30 s after the database is back.
    hikari.addDataSourceProperty("loginTimeout", seconds);
    hikari.addDataSourceProperty("socketTimeout", "30");
    hikari.addDataSourceProperty("tcpKeepAlive", "true");
    hikari.addDataSourceProperty("ApplicationName", "zisk-coordinator");
    return new HikariDataSource(hikari);
  }

  public Jdbi jdbi() {
    return jdbi;
  }

  /** Reports the pool's connections and waits to {@code registry} (HikariCP's tracker). */
  public void bindMetrics(MeterRegistry registry) {
    dataSource.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
  }

  public DataSource dataSource() {
    return dataSource;
  }

  @Override
  public void close() {
    dataSource.close();
    if (embedded != null) {
      try {
        embedded.close();
      } catch (IOException e) {
        log.warn("Embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
      }
    }
  }

  /**
   * One round trip to the database, through the pool: a probe of health and of start-up.
   *
   * @throws RuntimeException when it does not answer
   */
  public void ping() {
    jdbi().withHandle(handle -> handle.createQuery(PING).mapTo(Integer.class).one());
  }

  private static final String PING = "SELECT 1";

  /**
   * Waits up to {@code wait} for the database to answer: at start-up it may still be starting, as
   * in docker compose.
   *
   * @throws DatabaseStartException when it did not answer in time
   */
  public void awaitReady(Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try {
        ping();
        return;
      } catch (RuntimeException e) {
        if (last == null) {
          log.warn("Waiting for the database: {}", e.getMessage());
        }
        last = e;
        try {
          Thread.sleep(1000); // start-up retry pacing, not a test wait
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    throw new Database.DatabaseStartException(
        "the database did not answer within "
            + wait.toSeconds()
            + " s: "
            + (last == null ? "interrupted" : last.getMessage()),
        last);
  }

  /** The database could not be started or reached at start-up. */
  public static final class DatabaseStartException extends RuntimeException {
    public DatabaseStartException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
