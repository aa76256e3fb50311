package zisk.distributed.cli;

import java.io.PrintWriter;
import java.time.Instant;
import zisk.distributed.api.v1.JobStatus;
import zisk.distributed.common.rules.SafeText;

/** Jobs as text for people (`zisk jobs`, `zisk status`); coordinator text is cleaned. */
final class JobText {

  static final String HEADER =
      String.format(
          "%-36s  %-9s  %-20s  %5s  %-24s  %s",
          "JOB", "STATE", "PHASE", "UNITS", "CREATED", "BLOCK");

  private JobText() {}

  static String row(JobStatus job) {
    return String.format(
        "%-36s  %-9s  %-20s  %5d  %-24s  %s",
        job.getJobId(),
        job.getState(),
        job.getPhase().isEmpty() ? "-" : job.getPhase(),
        job.getComputeCapacity(),
        job.hasCreatedAt() ? Instant.ofEpochSecond(job.getCreatedAt().getSeconds()) : "-",
        clean(job.getBlockId()));
  }

  static void details(JobStatus job, PrintWriter out) {
    out.println("job          " + job.getJobId());
    out.println("block        " + clean(job.getBlockId()));
    out.println("state        " + job.getState());
    out.println("phase        " + (job.getPhase().isEmpty() ? "-" : job.getPhase()));
    out.println("attempt      " + job.getAttempt() + " of " + job.getMaxAttempts());
    out.println("units        " + job.getComputeCapacity());
    out.println(
        "input        "
            + (job.getInputId().isEmpty() ? clean(job.getInputPath()) : "id " + job.getInputId()));
    out.println(
        "provers      "
            + String.join(
                ", ", job.getAssignedProversList().stream().map(JobText::clean).toList()));
    out.println("duration     " + job.getDurationMs() + " ms");
    if (!job.getWaitingReason().isEmpty()) {
      out.println("waiting      " + clean(job.getWaitingReason()));
    }
    for (String replacement : job.getRankReplacementsList()) {
      out.println("replaced     " + clean(replacement));
    }
    if (job.hasError()) {
      out.println(
          "error        " + job.getError().getCode() + ": " + clean(job.getError().getMessage()));
    }
  }

  static String clean(String untrusted) {
    return SafeText.clean(untrusted, SafeText.MAX_REASON);
  }
}
