package zisk.distributed.coordinator.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import zisk.distributed.coordinator.config.DatabaseUrls;
import zisk.distributed.coordinator.store.Migrations;

/**
 * Fresh PostgreSQL databases for tests, on the first server of: the one named by {@code
 * ZISK_TEST_DATABASE_URL} when it is set (CI sets it to the machine's server); a PostgreSQL 17
 * container when a Docker engine answers ({@link ContainerDatabase}); one embedded PostgreSQL per
 * JVM. Every database is created empty and dropped when the JVM exits.
 */
public final class TestDatabase {

  private static final String ENV = "ZISK_TEST_DATABASE_URL";
  private static final List<String> created = new CopyOnWriteArrayList<>();
  private static String adminUrl;
  private static EmbeddedPostgres embedded;

  private TestDatabase() {}

  /** A fresh database with the schema migrated, for tests that drive the store directly. */
  public static DataSource freshMigratedDataSource() {
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setURL(freshJdbcUrl());
    new Migrations(dataSource).prepare(true);
    return dataSource;
  }

  /** A JDBC URL of a new, empty database. */
  public static synchronized String freshJdbcUrl() {
    String admin = adminUrl();
    String name = "zisk_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    execute(admin, "CREATE DATABASE " + name);
    created.add(name);
    return withDatabase(admin, name);
  }

  /** Runs one statement on a database, for test set-up and SQL assertions. */
  public static void execute(String jdbcUrl, String sql) {
    try (Connection connection = DriverManager.getConnection(jdbcUrl);
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("SQL failed: " + sql + ": " + e.getMessage(), e);
    }
  }

  /** Whether tests run against an external server (true) or the embedded one. */
  public static boolean usesExternalServer() {
    String url = System.getenv(ENV);
    return url != null && !url.isBlank();
  }

  private static String adminUrl() {
    if (adminUrl != null) {
      return adminUrl;
    }
    Optional<String> container;
    if (usesExternalServer()) {
      adminUrl = DatabaseUrls.toJdbc(System.getenv(ENV), ENV);
    } else if ((container = ContainerDatabase.start()).isPresent()) {
      adminUrl = container.get();
    } else {
      try {
        embedded = EmbeddedPostgres.builder().start();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start the embedded PostgreSQL for tests", e);
      }
      adminUrl = embedded.getJdbcUrl("postgres", "postgres");
    }
    Runtime.getRuntime().addShutdownHook(new Thread(TestDatabase::dropAll, "drop-test-databases"));
    return adminUrl;
  }

  /**
   * A drop takes 0.1 to 0.2 s on this machine's server, no faster in parallel, so a module's
   * hundred-odd databases take tens of seconds: the build gives the forked JVM time to exit
   * (surefire's forkedProcessExitTimeoutInSeconds in the parent pom).
   */
  private static void dropAll() {
    try (Connection admin = DriverManager.getConnection(adminUrl);
        Statement statement = admin.createStatement()) {
      for (String name : created) {
        try {
          statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (SQLException e) {
          // best effort, database by database: one that cannot go does not keep the rest
        }
      }
    } catch (SQLException e) {
      // best effort: the server may already be gone
    }
    if (embedded != null) {
      try {
        embedded.close();
      } catch (IOException e) {
        // best effort
      }
    }
  }

  /** The same server URL with another database name. */
  static String withDatabase(String jdbcUrl, String database) {
    int start = jdbcUrl.indexOf('/', "jdbc:postgresql://".length());
    int end = jdbcUrl.indexOf('?');
    String query = end < 0 ? "" : jdbcUrl.substring(end);
    String hostPart =
        start < 0 ? (end < 0 ? jdbcUrl : jdbcUrl.substring(0, end)) : jdbcUrl.substring(0, start);
    return hostPart + "/" + database + query;
  }
}
