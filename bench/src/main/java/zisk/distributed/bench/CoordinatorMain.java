package zisk.distributed.bench;

import picocli.CommandLine;
import zisk.distributed.coordinator.CoordinatorCommand;

/**
 * The child JVM's entry point: exactly {@code zisk coordinator} with the flags it is given. The
 * bench cannot start {@code zisk.distributed.cli.Zisk} (the cli module depends on this one), and
 * {@link CoordinatorCommand} has no main of its own.
 */
public final class CoordinatorMain {

  private CoordinatorMain() {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new CoordinatorCommand()).execute(args));
  }
}
