package zisk.distributed.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import zisk.distributed.common.config.ConfigKey;
import zisk.distributed.coordinator.config.CoordinatorSettings;

class ZiskCommandLineTest {

  @Test
  void coordinatorHelpDocumentsEverySetting() {
    CommandLine zisk = Zisk.commandLine();
    StringWriter out = new StringWriter();
    zisk.setOut(new PrintWriter(out));

    int status = zisk.execute("coordinator", "--help");

    assertEquals(0, status);
    String help = out.toString();
    for (String flag :
        new String[] {
          "--port",
          "--config",
          "--database-url",
          "--data-dir",
          "--[no-]migrate",
          "--host",
          "--tokens-file"
        }) {
      assertTrue(help.contains(flag), "help mentions " + flag);
    }
    for (ConfigKey key : CoordinatorSettings.KEYS) {
      assertTrue(
          help.contains(key.fileKey()) && help.contains(key.envVar()),
          "help documents " + key.fileKey());
    }
  }

  @Test
  void unknownCommandIsAUsageError() {
    CommandLine zisk = Zisk.commandLine();
    zisk.setErr(new PrintWriter(new StringWriter()));

    assertEquals(2, zisk.execute("prove-everything"));
  }
}
