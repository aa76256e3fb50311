package zisk.distributed.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;
import zisk.distributed.common.config.ConfigException;
import zisk.distributed.coordinator.config.DatabaseUrls;

/**
 * The database the bench runs against: a fresh {@code zisk_bench_<random>} on the server it is
 * given (dropped at the end unless kept), or on an embedded PostgreSQL in a temporary directory
 * configured durable (fsync and synchronous_commit on, unlike the embedded library's default), so
 * that every figure stands next to the commit rate of the very server the coordinator used.
 */
final class BenchDatabase implements AutoCloseable {

  private final String adminUrl;
  private final String name;
  private final String jdbcUrl;
  private final EmbeddedPostgres embedded;
  private final Path embeddedDir;
  private final boolean keep;
  private boolean closed;

  /** Ctrl-C on the bench still drops the database. */
  private final Thread onExit = new Thread(this::dropAndStop, "drop-bench-database");

  private BenchDatabase(
      String adminUrl, String name, EmbeddedPostgres embedded, Path embeddedDir, boolean keep) {
    this.adminUrl = adminUrl;
    this.name = name;
    this.jdbcUrl = withDatabase(adminUrl, name);
    this.embedded = embedded;
    this.embeddedDir = embeddedDir;
    this.keep = keep && embedded == null;
    Runtime.getRuntime().addShutdownHook(onExit);
  }

  /** Creates the bench database on {@code url}'s server ({@code null}: an embedded server). */
  static BenchDatabase create(String url, boolean keep) {
    EmbeddedPostgres embedded = null;
    Path dir = null;
    String admin;
    if (url != null && !url.isBlank()) {
      try {
        admin = DatabaseUrls.toJdbc(url, "--database-url");
      } catch (ConfigException e) {
        throw new BenchException(e.getMessage(), e);
      }
    } else {
      try {
        dir = Files.createTempDirectory("zisk-bench-postgres");
        embedded =
            EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(true)
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .start();
      } catch (IOException | RuntimeException e) {
        deleteTree(dir);
        throw new BenchException("cannot start the embedded PostgreSQL: " + e.getMessage(), e);
      }
      admin = embedded.getJdbcUrl("postgres", "postgres");
    }
    String name = "zisk_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try {
      execute(admin, "CREATE DATABASE " + name);
    } catch (SQLException e) {
      stop(embedded);
      deleteTree(dir);
      throw new BenchException(
          "cannot create a database on " + hostAndPort(admin) + ": " + e.getMessage(), e);
    }
    return new BenchDatabase(admin, name, embedded, dir, keep);
  }

  String name() {
    return name;
  }

  /** The JDBC URL of the bench database (user and password included, as given). */
  String jdbcUrl() {
    return jdbcUrl;
  }

  boolean isEmbedded() {
    return embedded != null;
  }

  /**
   * {@code PostgreSQL 15.4 at 127.0.0.1:5432 (fsync=on, synchronous_commit=on)}, as the bench
   * database's sessions see it.
   */
  String describe() {
    try (Connection connection = DriverManager.getConnection(jdbcUrl)) {
      return (embedded != null ? "embedded " : "")
          + "PostgreSQL "
          + show(connection, "server_version").split(" ")[0]
          + " at "
          + hostAndPort(adminUrl)
          + " (fsync="
          + show(connection, "fsync")
          + ", synchronous_commit="
          + show(connection, "synchronous_commit")
          + ")";
    } catch (SQLException e) {
      throw new BenchException("cannot read the server's settings: " + e.getMessage(), e);
    }
  }

  private static String show(Connection connection, String setting) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SHOW " + setting)) {
      rows.next();
      return rows.getString(1);
    }
  }

  /** Drops the database (unless --keep-database) and stops an embedded server. */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(onExit);
    } catch (IllegalStateException e) {
      // already shutting down: the hook drops it
    }
    dropAndStop();
  }

  private synchronized void dropAndStop() {
    if (closed) {
      return;
    }
    closed = true;
    if (!keep) {
      try {
        execute(adminUrl, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      } catch (SQLException e) {
        System.err.println("zisk bench: could not drop database " + name + ": " + e.getMessage());
      }
    }
    stop(embedded);
    deleteTree(embeddedDir);
  }

  private static void deleteTree(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // a temporary directory; best effort
    }
  }

  private static void stop(EmbeddedPostgres embedded) {
    if (embedded != null) {
      try {
        embedded.close();
      } catch (IOException e) {
        System.err.println(
            "zisk bench: the embedded PostgreSQL did not stop cleanly: " + e.getMessage());
      }
    }
  }

  private static void execute(String url, String sql) throws SQLException {
    try (Connection connection = DriverManager.getConnection(url);
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  /** The same server URL with another database name. */
  static String withDatabase(String jdbcUrl, String database) {
    String prefix = "jdbc:postgresql://";
    int query = jdbcUrl.indexOf('?');
    int slash = jdbcUrl.indexOf('/', prefix.length());
    int hostEnd =
        slash >= 0 && (query < 0 || slash < query) ? slash : query >= 0 ? query : jdbcUrl.length();
    return jdbcUrl.substring(0, hostEnd)
        + "/"
        + database
        + (query < 0 ? "" : jdbcUrl.substring(query));
  }

  /** {@code host:port} of a JDBC URL. */
  static String hostAndPort(String jdbcUrl) {
    String rest = jdbcUrl.substring("jdbc:postgresql://".length());
    int end = rest.length();
    for (char stop : new char[] {'/', '?'}) {
      int at = rest.indexOf(stop);
      if (at >= 0) {
        end = Math.min(end, at);
      }
    }
    String host = rest.substring(0, end);
    boolean hasPort = host.startsWith("[") ? host.contains("]:") : host.contains(":");
    return hasPort ? host : host + ":5432";
  }
}
