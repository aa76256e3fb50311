package zisk.distributed.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The whole bench with tiny sizes (a child coordinator, real sockets, a real PostgreSQL): it must
 * run every section and print its summary. No figure is checked; timing stays out of the tests.
 */
class BenchSmokeTest {

  @Test
  void printsEverySectionAndExitsZero() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    List<String> args =
        new ArrayList<>(
            List.of(
                "--provers",
                "2",
                "--jobs-in-flight",
                "2",
                "--seconds",
                "1",
                "--warmup-seconds",
                "0",
                "--latency-jobs",
                "3",
                "--idle-provers",
                "10",
                "--idle-seconds",
                "1",
                "--commit-seconds",
                "1"));
    String server = System.getenv("ZISK_TEST_DATABASE_URL");
    if (server != null && !server.isBlank()) {
      args.addAll(List.of("--database-url", server));
    }

    int status =
        new CommandLine(new BenchCommand(new PrintStream(bytes, true, StandardCharsets.UTF_8)))
            .execute(args.toArray(String[]::new));

    String output = bytes.toString(StandardCharsets.UTF_8);
    assertEquals(0, status, output);
    for (String section :
        new String[] {
          "single-row durable commit",
          "launch -> first task",
          "phase transition",
          "throughput",
          "idle CPU, 10 provers",
          "idle heap, 10 provers",
          "figure"
        }) {
      assertTrue(output.contains(section), "printed '" + section + "':\n" + output);
    }
  }

  @Test
  void rejectsAnUnknownSection() {
    assertEquals(2, new CommandLine(new BenchCommand()).execute("--skip", "everything"));
  }
}
