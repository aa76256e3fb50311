package zisk.distributed.cli;

import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import zisk.distributed.api.v1.JobStatus;
import zisk.distributed.client.Coordinators;
import zisk.distributed.client.InterruptHint;
import zisk.distributed.client.JobStates;
import zisk.distributed.client.JobWatcher;
import zisk.distributed.client.ProgressView;
import zisk.distributed.client.ProgressViews;
import zisk.distributed.client.StatusPoller;

/** {@code zisk watch JOB}: a job's live progress until it ends. */
@Command(
    name = "watch",
    mixinStandardHelpOptions = true,
    description = {
      "Follows a job until it ends: bars per phase and per rank on a terminal, timestamped lines",
      "otherwise, JSON lines with --output json. A broken stream resumes on the next --url.",
      "Exit status: 0 completed, 1 failed or cancelled, 2 bad usage, 3 no coordinator answered,",
      "130 Ctrl-C (the job keeps running)."
    })
final class WatchCommand extends ClientCommand {

  /** How often a coordinator without WatchJob is polled. */
  static final Duration POLL = Duration.ofMillis(500);

  @Parameters(index = "0", paramLabel = "JOB", description = "The job's id.")
  String jobId;

  @Override
  int run(Coordinators coordinators, PrintWriter out, PrintWriter err) {
    return JobStates.exitCode(follow(coordinators, jobId, client.json(), out, err).getState());
  }

  /** Shows {@code jobId} until it ends (Ctrl-C prints how to follow it again). */
  static JobStatus follow(
      Coordinators coordinators, String jobId, boolean json, PrintWriter out, PrintWriter err) {
    JobWatcher watcher = new JobWatcher(coordinators, new StatusPoller(coordinators, POLL));
    try (InterruptHint hint = InterruptHint.install(jobId, coordinators.urlList(), err);
        ProgressView view = ProgressViews.choose(json, ProgressViews.terminal(), out, err)) {
      return watcher.watch(jobId, view);
    }
  }
}
