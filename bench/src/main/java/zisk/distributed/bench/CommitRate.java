package zisk.distributed.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * The physical limit every other figure is read against: how many single-row transactions one
 * connection can make durable per second on this database (one INSERT per commit, autocommit). A
 * coordinator that commits once per transition cannot go faster than this without grouping.
 */
final class CommitRate {

  record Result(long commits, long nanos) {

    double perSecond() {
      return commits * 1e9 / nanos;
    }

    double meanMillis() {
      return nanos / 1e6 / commits;
    }

    String line() {
      return String.format(
          "%.0f commits/s (%.2f ms each, %d commits in %.1f s)",
          perSecond(), meanMillis(), commits, nanos / 1e9);
    }
  }

  private CommitRate() {}

  /** Inserts one row per commit into a scratch table for {@code duration}, then drops the table. */
  static Result measure(String jdbcUrl, Duration duration) {
    try (Connection connection = DriverManager.getConnection(jdbcUrl)) {
      connection.setAutoCommit(true);
      try (Statement statement = connection.createStatement()) {
        statement.execute(
            "CREATE TABLE bench_commit (id bigserial PRIMARY KEY, v bigint NOT NULL)");
      }
      Result result;
      try (PreparedStatement insert =
          connection.prepareStatement("INSERT INTO bench_commit (v) VALUES (?)")) {
        for (int i = 0; i < 50; i++) {
          insert(
              insert,
              i); // warm-up: the driver switches to a server-side prepared statement after a few
        }
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long commits = 0;
        long now;
        do {
          insert(insert, commits);
          commits++;
          now = System.nanoTime();
        } while (now < end);
        result = new Result(commits, now - start);
      }
      try (Statement statement = connection.createStatement()) {
        statement.execute("DROP TABLE bench_commit");
      }
      return result;
    } catch (SQLException e) {
      throw new BenchException("the commit-rate measurement failed: " + e.getMessage(), e);
    }
  }

  private static void insert(PreparedStatement insert, long value) throws SQLException {
    insert.setLong(1, value);
    insert.executeUpdate();
  }
}
