package zisk.distributed.coordinator.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * One statement of the store: SQL with {@code :named} parameters, turned into JDBC's positional
 * form once, when the class that declares it loads. Executing it costs a prepared statement (which
 * the driver prepares on the server once per connection) and the round trip, nothing more: the hot
 * path runs several of these per transition, thousands per second.
 */
final class Sql {

  /** Reads one row into a value. */
  @FunctionalInterface
  interface Row<T> {
    T map(ResultSet row) throws SQLException;
  }

  private final String jdbcSql;
  private final Map<String, List<Integer>> positions;

  private Sql(String jdbcSql, Map<String, List<Integer>> positions) {
    this.jdbcSql = jdbcSql;
    this.positions = positions;
  }

  /** Parses {@code :name} parameters, leaving {@code ::casts} and quoted text alone. */
  static Sql of(String sql) {
    StringBuilder jdbc = new StringBuilder(sql.length());
    Map<String, List<Integer>> positions = new HashMap<>();
    int count = 0;
    boolean quoted = false;
    for (int i = 0; i < sql.length(); i++) {
      char c = sql.charAt(i);
      if (c == '\'') {
        quoted = !quoted;
      } else if (!quoted && c == ':' && i + 1 < sql.length() && sql.charAt(i + 1) == ':') {
        jdbc.append("::");
        i++;
        continue;
      } else if (!quoted
          && c == ':'
          && i + 1 < sql.length()
          && Character.isJavaIdentifierStart(sql.charAt(i + 1))) {
        int end = i + 1;
        while (end < sql.length() && Character.isJavaIdentifierPart(sql.charAt(end))) {
          end++;
        }
        positions
            .computeIfAbsent(sql.substring(i + 1, end), name -> new ArrayList<>())
            .add(++count);
        jdbc.append('?');
        i = end - 1;
        continue;
      }
      jdbc.append(c);
    }
    return new Sql(jdbc.toString(), positions);
  }

  /** Starts an execution on {@code connection}; bind every parameter, then run it once. */
  Call on(Connection connection) {
    try {
      return new Call(connection.prepareStatement(jdbcSql));
    } catch (SQLException e) {
      throw new StoreException(e);
    }
  }

  /**
   * One execution: bind, then {@link #update}, {@link #one}, {@link #optional} or {@link #list}.
   */
  final class Call {

    private final PreparedStatement statement;

    private Call(PreparedStatement statement) {
      this.statement = statement;
    }

    Call bind(String name, Object value) {
      List<Integer> at = positions.get(name);
      if (at == null) {
        throw new IllegalArgumentException("no parameter :" + name + " in " + jdbcSql);
      }
      try {
        for (int position : at) {
          set(position, value);
        }
      } catch (SQLException e) {
        throw new StoreException(e);
      }
      return this;
    }

    private void set(int position, Object value) throws SQLException {
      if (value == null) {
        statement.setNull(position, Types.OTHER);
      } else if (value instanceof Enum<?> constant) {
        statement.setString(position, constant.name());
      } else if (value instanceof Instant instant) {
        statement.setObject(position, OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
      } else if (value instanceof String[] texts) {
        statement.setArray(position, statement.getConnection().createArrayOf("text", texts));
      } else if (value instanceof Integer[] numbers) {
        statement.setArray(position, statement.getConnection().createArrayOf("integer", numbers));
      } else if (value instanceof Long[] numbers) {
        statement.setArray(position, statement.getConnection().createArrayOf("bigint", numbers));
      } else if (value instanceof UUID[] ids) {
        statement.setArray(position, statement.getConnection().createArrayOf("uuid", ids));
      } else if (value instanceof byte[][] blobs) {
        statement.setArray(position, statement.getConnection().createArrayOf("bytea", blobs));
      } else if (value instanceof byte[] bytes) {
        statement.setBytes(position, bytes);
      } else {
        statement.setObject(position, value);
      }
    }

    /** Runs a statement that returns no rows; answers the rows it changed. */
    int update() {
      try (statement) {
        return statement.executeUpdate();
      } catch (SQLException e) {
        throw new StoreException(e);
      }
    }

    <T> List<T> list(Row<T> row) {
      try (statement;
          ResultSet rows = statement.executeQuery()) {
        List<T> values = new ArrayList<>();
        while (rows.next()) {
          values.add(row.map(rows));
        }
        return values;
      } catch (SQLException e) {
        throw new StoreException(e);
      }
    }

    <T> Optional<T> optional(Row<T> row) {
      List<T> values = list(row);
      if (values.size() > 1) {
        throw new IllegalStateException(
            values.size() + " rows where at most one was expected: " + jdbcSql);
      }
      return values.stream().findFirst();
    }

    /** Exactly one row (a statement that always answers one, such as an aggregate). */
    <T> T one(Row<T> row) {
      List<T> values = list(row);
      if (values.size() != 1) {
        throw new IllegalStateException(
            values.size() + " rows where exactly one was expected: " + jdbcSql);
      }
      return values.get(0);
    }
  }

  /** A nullable timestamp column. */
  static Instant instant(ResultSet row, String column) throws SQLException {
    OffsetDateTime value = row.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  /** A nullable enum column. */
  static <E extends Enum<E>> E constant(Class<E> type, ResultSet row, String column)
      throws SQLException {
    String value = row.getString(column);
    return value == null ? null : Enum.valueOf(type, value);
  }

  static UUID uuid(ResultSet row, String column) throws SQLException {
    return row.getObject(column, UUID.class);
  }
}
