package zisk.distributed.client;

import java.time.Duration;
import zisk.distributed.api.v1.JobStatus;
import zisk.distributed.api.v1.JobStatusRequest;
import zisk.distributed.api.v1.JobStatusResponse;

/**
 * Follows a job with JobStatus calls, for a coordinator that has no WatchJob: shows each change of
 * state or phase until the job ends.
 */
public final class StatusPoller {

  private final Coordinators coordinators;
  private final Duration every;

  public StatusPoller(Coordinators coordinators, Duration every) {
    this.coordinators = coordinators;
    this.every = every;
  }

  /** Shows each change to {@code listener} and returns the job's final status. */
  public JobStatus poll(String jobId, WatchListener listener) {
    String shown = "";
    while (true) {
      JobStatusResponse response =
          coordinators.call(
              "JobStatus",
              api -> api.jobStatus(JobStatusRequest.newBuilder().setJobId(jobId).build()));
      if (response.hasError()) {
        throw ClientFailure.answered("JobStatus", response.getError());
      }
      JobStatus job = response.getJob();
      if (JobStates.ended(job.getState())) {
        return job;
      }
      String now = job.getState() + " " + job.getPhase();
      if (!now.equals(shown)) {
        shown = now;
        listener.status(job);
      }
      try {
        Thread.sleep(every.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ClientFailure(ExitCodes.INTERRUPTED, "JobStatus: interrupted");
      }
    }
  }
}
