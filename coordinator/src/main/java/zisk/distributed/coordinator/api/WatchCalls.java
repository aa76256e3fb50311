package zisk.distributed.coordinator.api;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.UUID;
import zisk.distributed.api.v1.JobStatus;
import zisk.distributed.api.v1.WatchJobRequest;
import zisk.distributed.api.v1.WatchJobResponse;
import zisk.distributed.coordinator.scheduling.JobWatchers;

/**
 * Starts a WatchJob call: the job must exist (else a single JOB_NOT_FOUND message, as JobStatus
 * answers), then {@link JobWatchers} streams it. Any caller that may call JobStatus may watch.
 */
final class WatchCalls {

  private final AdminApi admin;
  private final JobWatchers watchers;
  private final ErrorMapper errors;

  WatchCalls(AdminApi admin, JobWatchers watchers, ErrorMapper errors) {
    this.admin = admin;
    this.watchers = watchers;
    this.errors = errors;
  }

  void watch(WatchJobRequest request, StreamObserver<WatchJobResponse> observer) {
    ServerCallStreamObserver<WatchJobResponse> out =
        (ServerCallStreamObserver<WatchJobResponse>) observer;
    try {
      JobStatus status = admin.jobStatus(request.getJobId());
      watchers.watch(UUID.fromString(status.getJobId()), request.getAfterEventId(), status, out);
    } catch (StatusRuntimeException e) {
      out.onError(e);
    } catch (Exception e) {
      out.onNext(
          WatchJobResponse.newBuilder().setError(errors.toErrorResponse("WatchJob", e)).build());
      out.onCompleted();
    }
  }
}
