package zisk.distributed.coordinator.api;

import com.google.protobuf.Timestamp;
import java.time.Clock;
import java.time.Instant;
import zisk.distributed.api.v1.ComputeCapacity;
import zisk.distributed.api.v1.ErrorResponse;
import zisk.distributed.api.v1.JobStatus;
import zisk.distributed.api.v1.ProverInfo;
import zisk.distributed.api.v1.SystemStatus;
import zisk.distributed.coordinator.store.ClusterDao.ClusterCounts;
import zisk.distributed.coordinator.store.Job;
import zisk.distributed.coordinator.store.Prover;

/** The one place where store records become wire messages. */
public final class ProtoMapper {

  private final Clock clock;

  public ProtoMapper(Clock clock) {
    this.clock = clock;
  }

  public JobStatus jobStatus(Job job, String waitingReason) {
    JobStatus.Builder status =
        JobStatus.newBuilder()
            .setJobId(job.jobId().toString())
            .setBlockId(job.blockId())
            .setPhase(job.phase() == null ? "" : job.phase().name())
            .setState(job.state().name())
            .addAllAssignedProvers(job.assignedProvers())
            .addAllRankReplacements(job.rankReplacements())
            .setComputeCapacity(job.computeCapacity())
            .setInputPath(job.inputPath())
            .setInputId(job.inputId() == null ? "" : job.inputId())
            .setAttempt(job.attempt())
            .setMaxAttempts(job.maxAttempts())
            .setCreatedAt(timestamp(job.createdAt()));
    if (job.startedAt() != null) {
      Instant end = job.finishedAt() != null ? job.finishedAt() : clock.instant();
      status
          .setStartTime(job.startedAt().toEpochMilli())
          .setDurationMs(Math.max(0, end.toEpochMilli() - job.startedAt().toEpochMilli()));
    }
    if (job.finishedAt() != null) {
      status.setFinishedAt(timestamp(job.finishedAt()));
    }
    if (waitingReason != null) {
      status.setWaitingReason(waitingReason);
    }
    if (job.errorCode() != null) {
      status.setError(
          ErrorResponse.newBuilder()
              .setCode(job.errorCode())
              .setMessage(job.errorMessage() == null ? "" : job.errorMessage()));
    }
    return status.build();
  }

  public ProverInfo proverInfo(Prover prover) {
    ProverInfo.Builder info =
        ProverInfo.newBuilder()
            .setProverId(prover.proverId())
            .setState(prover.state().name())
            .setComputeCapacity(ComputeCapacity.newBuilder().setComputeUnits(prover.computeUnits()))
            .setConnectedAt(timestamp(prover.connectedAt()))
            .setLastHeartbeat(timestamp(prover.lastHeartbeatAt()));
    if (prover.currentJobId() != null) {
      info.setCurrentJobId(prover.currentJobId().toString());
    }
    if (prover.instanceId() != null) {
      info.setCoordinatorInstanceId(prover.instanceId().toString());
    }
    if (prover.heldUntil() != null) {
      info.setHeldUntil(timestamp(prover.heldUntil()))
          .setQuarantinedUntil(timestamp(prover.heldUntil()))
          .setQuarantineReason(prover.quarantineReason() == null ? "" : prover.quarantineReason());
    }
    info.setFailureStreak(prover.failureStreak()).setQuarantineCount(prover.quarantineCount());
    return info.build();
  }

  public SystemStatus systemStatus(ClusterCounts counts) {
    return SystemStatus.newBuilder()
        .setTotalProvers(counts.totalProvers())
        .setComputeCapacity(saturatedInt(counts.computeCapacity()))
        .setIdleProvers(counts.idleProvers())
        .setBusyProvers(counts.busyProvers())
        .setActiveJobs(counts.activeJobs())
        .setQueuedJobs(counts.queuedJobs())
        .setLiveCoordinators(counts.liveCoordinators())
        .build();
  }

  public static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder()
        .setSeconds(instant.getEpochSecond())
        .setNanos(instant.getNano())
        .build();
  }

  private static int saturatedInt(long value) {
    return (int) Math.min(Integer.MAX_VALUE, value);
  }
}
