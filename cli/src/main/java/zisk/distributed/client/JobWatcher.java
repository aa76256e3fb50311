package zisk.distributed.client;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import zisk.distributed.api.v1.JobEvent;
import zisk.distributed.api.v1.JobStatus;
import zisk.distributed.api.v1.JobStatusRequest;
import zisk.distributed.api.v1.JobStatusResponse;
import zisk.distributed.api.v1.WatchJobRequest;
import zisk.distributed.api.v1.WatchJobResponse;

/**
 * Follows one job with WatchJob until it ends. When a stream breaks, watching resumes on the next
 * URL after the last event_id shown, so no event is missed or shown twice; it gives up (exit 3)
 * once every URL has failed twice in a row. A coordinator without WatchJob is polled instead.
 */
public final class JobWatcher {

  /** Each URL gets this many tries in a row before the watch gives up. */
  static final int ROUNDS = 2;

  private final Coordinators coordinators;
  private final StatusPoller poller;

  public JobWatcher(Coordinators coordinators, StatusPoller poller) {
    this.coordinators = coordinators;
    this.poller = poller;
  }

  /**
   * Shows the job to {@code listener} until it ends.
   *
   * @return the job's final status (also given to {@link WatchListener#finished})
   */
  public JobStatus watch(String jobId, WatchListener listener) {
    long lastEventId = 0;
    List<String> failures = new ArrayList<>();
    while (true) {
      String url = coordinators.currentUrl();
      try {
        Iterator<WatchJobResponse> stream =
            coordinators
                .blocking()
                .watchJob(
                    WatchJobRequest.newBuilder()
                        .setJobId(jobId)
                        .setAfterEventId(lastEventId)
                        .build());
        while (stream.hasNext()) {
          WatchJobResponse message = stream.next();
          failures.clear();
          switch (message.getMessageCase()) {
            case STATUS -> listener.status(message.getStatus());
            case EVENT -> {
              JobEvent event = message.getEvent();
              if (event.getEventId() > lastEventId) {
                lastEventId = event.getEventId();
                listener.event(event);
              }
            }
            case PROGRESS -> listener.progress(message.getProgress());
            case ERROR -> throw ClientFailure.answered("WatchJob", message.getError());
            case MESSAGE_NOT_SET -> {
              // a newer coordinator's message kind: nothing to show
            }
          }
        }
        JobStatus ended = finalStatus(jobId);
        if (JobStates.ended(ended.getState())) {
          listener.finished(ended);
          return ended;
        }
        // The stream ended but the job has not (a coordinator closing down): resume elsewhere.
        throw Status.UNAVAILABLE
            .withDescription("the stream ended before the job")
            .asRuntimeException();
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
          JobStatus ended = poller.poll(jobId, listener);
          listener.finished(ended);
          return ended;
        }
        if (!Coordinators.unreachable(e) && e.getStatus().getCode() != Status.Code.CANCELLED) {
          throw ClientFailure.rejected("WatchJob", url, e);
        }
        failures.add(url + ": " + coordinators.explain(e, url));
        if (failures.size() >= ROUNDS * coordinators.size()) {
          throw Coordinators.unreachable("WatchJob", failures);
        }
        coordinators.failover();
        listener.reconnecting(url, coordinators.currentUrl(), coordinators.explain(e, url));
        pause(failures.size());
      }
    }
  }

  /** The job's state once its stream has ended by itself. */
  private JobStatus finalStatus(String jobId) {
    JobStatusResponse response =
        coordinators.call(
            "JobStatus",
            api -> api.jobStatus(JobStatusRequest.newBuilder().setJobId(jobId).build()));
    if (response.hasError()) {
      throw ClientFailure.answered("JobStatus", response.getError());
    }
    return response.getJob();
  }

  /** A short, growing pause before the next URL, so a restarting coordinator has a moment. */
  private static void pause(int failures) {
    try {
      Thread.sleep(Math.min(2_000, 100L * failures));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ClientFailure(ExitCodes.INTERRUPTED, "WatchJob: interrupted");
    }
  }
}
