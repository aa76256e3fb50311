package zisk.distributed.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BenchDatabaseTest {

  @Test
  void replacesTheDatabaseNameAndKeepsTheParameters() {
    assertEquals(
        "jdbc:postgresql://127.0.0.1:5432/zisk_bench_x?user=postgres",
        BenchDatabase.withDatabase(
            "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres", "zisk_bench_x"));
    assertEquals(
        "jdbc:postgresql://db/zisk_bench_x",
        BenchDatabase.withDatabase("jdbc:postgresql://db", "zisk_bench_x"));
    assertEquals(
        "jdbc:postgresql://db/zisk_bench_x?user=u",
        BenchDatabase.withDatabase("jdbc:postgresql://db?user=u", "zisk_bench_x"));
  }

  @Test
  void namesHostAndPort() {
    assertEquals(
        "127.0.0.1:5432",
        BenchDatabase.hostAndPort("jdbc:postgresql://127.0.0.1:5432/postgres?user=u"));
    assertEquals(
        "db.internal:5432", BenchDatabase.hostAndPort("jdbc:postgresql://db.internal/zisk"));
    assertEquals(
        "localhost:6543", BenchDatabase.hostAndPort("jdbc:postgresql://localhost:6543?user=u"));
  }
}
