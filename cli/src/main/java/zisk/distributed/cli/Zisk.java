package zisk.distributed.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import zisk.distributed.bench.BenchCommand;
import zisk.distributed.coordinator.CoordinatorCommand;
import zisk.distributed.worker.WorkerCommand;
import zisk.distributed.worker.cli.ReferenceInputCommand;
import zisk.distributed.worker.cli.VerifyCommand;
import zisk.distributed.worker.prover.ProverBackends;
import zisk.distributed.worker.referenceprover.ProtocolStdout;
import zisk.distributed.worker.referenceprover.ReferenceProverCommand;

/** {@code ./zisk}: the product's commands in one program. */
@Command(
    name = "zisk",
    mixinStandardHelpOptions = true,
    versionProvider = CoordinatorCommand.VersionProvider.class,
    description = "ZisK distributed proving: coordinator, worker, client and benchmark commands.",
    subcommands = {CommandLine.HelpCommand.class})
public final class Zisk {

  public static void main(String[] args) {
    if (args.length > 0 && ReferenceProverCommand.NAME.equals(args[0])) {
      // Its standard output carries protocol only: claim it before any class can log or print.
      ProtocolStdout.claim();
    }
    System.exit(commandLine().execute(args));
  }

  /** The command tree, with the generated settings reference in each server command's --help. */
  public static CommandLine commandLine() {
    CommandLine zisk = new CommandLine(new Zisk());
    CommandLine coordinator = new CommandLine(new CoordinatorCommand());
    coordinator.getCommandSpec().usageMessage().footer(CoordinatorCommand.settingsReference());
    zisk.addSubcommand("coordinator", coordinator);
    zisk.addSubcommand("worker", new WorkerCommand(ProverBackends::create));
    zisk.addSubcommand("proof", new ProofCommand());
    zisk.addSubcommand("prove", new ProveCommand());
    zisk.addSubcommand("jobs", new JobsCommand());
    zisk.addSubcommand("status", new StatusCommand());
    zisk.addSubcommand("watch", new WatchCommand());
    zisk.addSubcommand("cancel", new CancelCommand());
    zisk.addSubcommand("provers", new ProversCommand());
    zisk.addSubcommand("system", new SystemCommand());
    zisk.addSubcommand("token", new TokenCommand());
    zisk.addSubcommand("health", new HealthCommand());
    zisk.addSubcommand("demo", new DemoCommand());
    zisk.addSubcommand("reference-input", new ReferenceInputCommand());
    zisk.addSubcommand("verify", new VerifyCommand());
    zisk.addSubcommand(ReferenceProverCommand.NAME, new ReferenceProverCommand());
    zisk.addSubcommand("bench", new BenchCommand());
    return zisk;
  }
}
