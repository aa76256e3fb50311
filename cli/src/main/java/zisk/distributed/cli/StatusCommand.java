package zisk.distributed.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import zisk.distributed.api.v1.JobStatus;
import zisk.distributed.api.v1.JobStatusRequest;
import zisk.distributed.api.v1.JobStatusResponse;
import zisk.distributed.client.ClientFailure;
import zisk.distributed.client.Coordinators;
import zisk.distributed.client.JobStates;
import zisk.distributed.client.JsonText;

/** {@code zisk status JOB}: one job's state, phase, provers and timings. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Shows one job. Exit status: 0 queued, running or completed; 1 failed or cancelled (or",
      "not found); 2 bad usage; 3 no coordinator answered."
    })
final class StatusCommand extends ClientCommand {

  @Parameters(index = "0", paramLabel = "JOB", description = "The job's id.")
  String jobId;

  @Override
  int run(Coordinators coordinators, PrintWriter out, PrintWriter err) {
    JobStatusResponse response =
        coordinators.call(
            "JobStatus",
            api -> api.jobStatus(JobStatusRequest.newBuilder().setJobId(jobId).build()));
    if (response.hasError()) {
      throw ClientFailure.answered("JobStatus", response.getError());
    }
    JobStatus job = response.getJob();
    if (client.json()) {
      out.println(JsonText.of(job));
    } else {
      JobText.details(job, out);
    }
    return JobStates.exitCode(job.getState());
  }
}
