package zisk.distributed.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import zisk.distributed.api.v1.JobStatus;
import zisk.distributed.api.v1.JobsList;
import zisk.distributed.api.v1.JobsListRequest;
import zisk.distributed.api.v1.JobsListResponse;
import zisk.distributed.client.ClientFailure;
import zisk.distributed.client.Coordinators;
import zisk.distributed.client.ExitCodes;
import zisk.distributed.client.JsonText;

/** {@code zisk jobs [--all]}: the active jobs, or the whole history, newest first. */
@Command(
    name = "jobs",
    mixinStandardHelpOptions = true,
    description = {
      "Lists the QUEUED and RUNNING jobs (with --all: every job), newest first.",
      "--output json prints the JobsList as one JSON object."
    })
final class JobsCommand extends ClientCommand {

  @Option(names = "--all", description = "Every job, not only the active ones.")
  boolean all;

  @Option(
      names = "--limit",
      paramLabel = "N",
      defaultValue = "50",
      description = "Most jobs to show, 1 to 500 (default: ${DEFAULT-VALUE}).")
  int limit;

  @Override
  int run(Coordinators coordinators, PrintWriter out, PrintWriter err) {
    if (limit < 1 || limit > 500) {
      throw ClientFailure.usage("--limit must be between 1 and 500");
    }
    JobsListResponse response =
        coordinators.call(
            "JobsList",
            api ->
                api.jobsList(
                    JobsListRequest.newBuilder().setActiveOnly(!all).setLimit(limit).build()));
    if (response.hasError()) {
      throw ClientFailure.answered("JobsList", response.getError());
    }
    JobsList jobs = response.getJobsList();
    if (client.json()) {
      out.println(JsonText.of(jobs));
      return ExitCodes.OK;
    }
    if (jobs.getJobsCount() == 0) {
      out.println(all ? "No jobs." : "No active jobs (--all shows every job).");
      return ExitCodes.OK;
    }
    out.println(JobText.HEADER);
    for (JobStatus job : jobs.getJobsList()) {
      out.println(JobText.row(job));
    }
    if (!jobs.getNextPageToken().isEmpty()) {
      out.println("(more jobs: raise --limit)");
    }
    return ExitCodes.OK;
  }
}
