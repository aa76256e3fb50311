package zisk.distributed.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Command;
import zisk.distributed.api.v1.SystemStatus;
import zisk.distributed.api.v1.SystemStatusRequest;
import zisk.distributed.api.v1.SystemStatusResponse;
import zisk.distributed.client.ClientFailure;
import zisk.distributed.client.Coordinators;
import zisk.distributed.client.ExitCodes;
import zisk.distributed.client.JsonText;

/** {@code zisk system}: cluster-wide counts. */
@Command(
    name = "system",
    mixinStandardHelpOptions = true,
    description = "Shows the cluster's provers, compute capacity, jobs and live coordinators.")
final class SystemCommand extends ClientCommand {

  @Override
  int run(Coordinators coordinators, PrintWriter out, PrintWriter err) {
    SystemStatusResponse response =
        coordinators.call(
            "SystemStatus", api -> api.systemStatus(SystemStatusRequest.getDefaultInstance()));
    if (response.hasError()) {
      throw ClientFailure.answered("SystemStatus", response.getError());
    }
    SystemStatus status = response.getStatus();
    if (client.json()) {
      out.println(JsonText.of(status));
      return ExitCodes.OK;
    }
    out.println(
        "coordinators  "
            + status.getLiveCoordinators()
            + " live (answered: "
            + coordinators.currentUrl()
            + ")");
    out.println(
        "provers       "
            + status.getTotalProvers()
            + " connected: "
            + status.getIdleProvers()
            + " idle, "
            + status.getBusyProvers()
            + " busy");
    out.println("capacity      " + status.getComputeCapacity() + " compute units");
    out.println(
        "jobs          "
            + status.getActiveJobs()
            + " active, "
            + status.getQueuedJobs()
            + " queued");
    return ExitCodes.OK;
  }
}
