package zisk.distributed.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import zisk.distributed.client.ClientFailure;
import zisk.distributed.client.Coordinators;
import zisk.distributed.client.ExitCodes;

/**
 * A client command: opens the coordinators its options name, runs, and turns a failure into its
 * message on standard error and its exit status (0 done, 1 failed, 2 usage, 3 unreachable).
 */
abstract class ClientCommand implements Callable<Integer> {

  @Mixin ClientOptions client = new ClientOptions();

  @Spec CommandSpec spec;

  @Override
  public final Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    try (Coordinators coordinators = client.open()) {
      return run(coordinators, spec.commandLine().getOut(), err);
    } catch (ClientFailure e) {
      err.println("zisk " + spec.name() + ": " + e.getMessage());
      return e.exitCode();
    } catch (IOException e) {
      err.println("zisk " + spec.name() + ": " + e.getMessage());
      return ExitCodes.FAILED;
    } finally {
      spec.commandLine().getOut().flush();
      err.flush();
    }
  }

  /** The command's work; returns its exit status. */
  abstract int run(Coordinators coordinators, PrintWriter out, PrintWriter err) throws IOException;
}
