package zisk.distributed.coordinator.api;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.UUID;
import zisk.distributed.common.rules.Uuids;
import zisk.distributed.coordinator.auth.Caller;
import zisk.distributed.coordinator.store.Job;

/**
 * A client token may cancel, and fetch the proof of, only the jobs it launched. Any other job id,
 * whether another client's job or none at all, is refused with the same status and words, so a
 * client learns nothing about jobs that are not its own.
 */
final class JobOwnership {

  private JobOwnership() {}

  /** The job id a caller names; for a client, any id that cannot be its job is refused. */
  static UUID jobId(Caller caller, String jobId, String action) {
    if (!caller.ownJobsOnly() || jobId.isBlank()) {
      return AdminApi.parseJobId(jobId);
    }
    return Uuids.parse(jobId).orElseThrow(() -> refusal(caller, action, jobId));
  }

  static boolean mayTouch(Caller caller, Job job) {
    return !caller.ownJobsOnly() || caller.tokenNameOrNull().equals(job.launchedBy());
  }

  static StatusRuntimeException refusal(Caller caller, String action, String jobId) {
    String shown = jobId.length() <= 64 ? jobId : jobId.substring(0, 64) + "…";
    return Status.PERMISSION_DENIED
        .withDescription(
            caller.describe()
                + " may "
                + action
                + " only the jobs it launched, and it launched no job with id '"
                + shown
                + "'")
        .asRuntimeException();
  }
}
