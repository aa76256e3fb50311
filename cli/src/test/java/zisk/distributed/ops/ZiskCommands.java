package zisk.distributed.ops;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import picocli.CommandLine;
import zisk.distributed.cli.Zisk;
import zisk.distributed.common.config.ConfigKey;
import zisk.distributed.coordinator.config.CoordinatorSettings;
import zisk.distributed.worker.config.WorkerSettings;

/** Whether a `zisk ...` command line in a deployment file is one the built program accepts. */
final class ZiskCommands {

  private ZiskCommands() {}

  /** Fails unless picocli parses {@code args} (the words after {@code zisk}) without an error. */
  static void assertAccepted(List<String> args, String where) {
    if (args.isEmpty()) {
      fail(where + ": an empty zisk command");
    }
    CommandLine zisk = Zisk.commandLine();
    CommandLine command = zisk.getSubcommands().get(args.get(0));
    if (command == null && !args.get(0).startsWith("-")) {
      fail(
          where
              + ": `zisk "
              + args.get(0)
              + "` is not a command of the built program; it has "
              + zisk.getSubcommands().keySet());
    }
    try {
      zisk.parseArgs(args.toArray(String[]::new));
    } catch (CommandLine.ParameterException e) {
      fail(where + ": `zisk " + String.join(" ", args) + "` does not parse: " + e.getMessage());
    }
  }

  /** The environment variables the coordinator reads. */
  static Set<String> coordinatorVariables() {
    return variables(CoordinatorSettings.KEYS.stream());
  }

  /** The environment variables the worker reads. */
  static Set<String> workerVariables() {
    return variables(WorkerSettings.ALL.stream());
  }

  private static Set<String> variables(Stream<ConfigKey> keys) {
    return Stream.concat(keys.map(ConfigKey::envVar), Stream.of("CONFIG_PATH"))
        .collect(java.util.stream.Collectors.toSet());
  }
}
