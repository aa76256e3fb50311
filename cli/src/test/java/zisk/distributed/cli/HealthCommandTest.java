package zisk.distributed.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import zisk.distributed.api.v1.ZiskDistributedApiGrpc;
import zisk.distributed.coordinator.config.CoordinatorConfig;
import zisk.distributed.coordinator.testing.RunningCoordinator;
import zisk.distributed.coordinator.testing.TestDatabase;

/** {@code zisk health} against a real coordinator on a socket: the exit status scripts rely on. */
class HealthCommandTest {

  @Test
  void servingCoordinatorAnswersZeroAndAnUnknownServiceOne() {
    try (RunningCoordinator coordinator =
        RunningCoordinator.onTcp(CoordinatorConfig.local(TestDatabase.freshJdbcUrl()))) {
      String url = "http://127.0.0.1:" + coordinator.server().port();

      assertEquals(HealthCommand.SERVING, run("health", "--url", url));
      assertEquals(
          HealthCommand.SERVING,
          run("health", "--url", url, "--service", ZiskDistributedApiGrpc.SERVICE_NAME));
      assertEquals(
          HealthCommand.NOT_SERVING, run("health", "--url", url, "--service", "no.such.Service"));
    }
  }

  @Test
  void nothingListeningIsUnreachable() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }

    assertEquals(
        HealthCommand.UNREACHABLE,
        run("health", "--url", "http://127.0.0.1:" + port, "--timeout-seconds", "2"));
  }

  @Test
  void badUrlIsAUsageError() {
    assertEquals(HealthCommand.USAGE, run("health", "--url", "ftp://x:1"));
    assertEquals(HealthCommand.USAGE, run("health", "--timeout-seconds", "0"));
  }

  private static int run(String... args) {
    CommandLine zisk = Zisk.commandLine();
    zisk.setErr(new PrintWriter(new StringWriter()));
    return zisk.execute(args);
  }
}
