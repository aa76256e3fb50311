package zisk.distributed.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import zisk.distributed.api.v1.CancelJobRequest;
import zisk.distributed.api.v1.CancelJobResponse;
import zisk.distributed.client.ClientFailure;
import zisk.distributed.client.Coordinators;
import zisk.distributed.client.ExitCodes;
import zisk.distributed.client.JsonText;
import zisk.distributed.common.rules.SafeText;

/** {@code zisk cancel JOB [--reason TEXT]}: cancels a queued or running job. */
@Command(
    name = "cancel",
    mixinStandardHelpOptions = true,
    description = {
      "Cancels a QUEUED or RUNNING job; its provers stop at once. Exit status: 0 cancelled,",
      "1 refused (not found, already ended), 2 bad usage, 3 no coordinator answered."
    })
final class CancelCommand extends ClientCommand {

  @Parameters(index = "0", paramLabel = "JOB", description = "The job's id.")
  String jobId;

  @Option(
      names = "--reason",
      paramLabel = "TEXT",
      defaultValue = "cancelled with zisk cancel",
      description = "Why, kept in the job's history (default: ${DEFAULT-VALUE}).")
  String reason;

  @Override
  int run(Coordinators coordinators, PrintWriter out, PrintWriter err) {
    if (reason.length() > SafeText.MAX_REASON) {
      throw ClientFailure.usage("--reason: at most " + SafeText.MAX_REASON + " characters");
    }
    CancelJobResponse response =
        coordinators.call(
            "CancelJob",
            api ->
                api.cancelJob(
                    CancelJobRequest.newBuilder().setJobId(jobId).setReason(reason).build()));
    if (response.hasError()) {
      throw ClientFailure.answered("CancelJob", response.getError());
    }
    if (client.json()) {
      out.println(JsonText.of(response.getJob()));
    } else {
      out.println("job " + jobId + " is " + response.getJob().getState());
    }
    return ExitCodes.OK;
  }
}
