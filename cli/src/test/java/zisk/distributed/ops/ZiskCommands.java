package zisk.distributed.ops;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
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

  /**
   * Options the deployment files use that another branch adds ({@code --metrics-port}: the metrics
   * endpoint). Where a command does not know one yet, it is left out of the check with its value;
   * once the command has it, it is checked like any other. Empty this after the merge.
   */
  static final Set<String> PENDING_OPTIONS = Set.of("--metrics-port");

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
    List<String> checked = command == null ? args : withoutPendingOptions(command, args);
    try {
      zisk.parseArgs(checked.toArray(String[]::new));
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

  private static List<String> withoutPendingOptions(CommandLine command, List<String> args) {
    List<String> kept = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
      if (PENDING_OPTIONS.contains(name) && command.getCommandSpec().findOption(name) == null) {
        if (!arg.contains("=")) {
          i++; // its value
        }
        continue;
      }
      kept.add(arg);
    }
    return kept;
  }
}
