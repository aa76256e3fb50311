package zisk.distributed.coordinator.api;

import com.google.protobuf.InvalidProtocolBufferException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import zisk.distributed.api.v1.CancelJobRequest;
import zisk.distributed.api.v1.FinalProofList;
import zisk.distributed.api.v1.JobProof;
import zisk.distributed.api.v1.JobStatus;
import zisk.distributed.api.v1.JobsList;
import zisk.distributed.api.v1.JobsListRequest;
import zisk.distributed.api.v1.LaunchProofRequest;
import zisk.distributed.api.v1.Metrics;
import zisk.distributed.api.v1.ProversList;
import zisk.distributed.api.v1.ProversListRequest;
import zisk.distributed.api.v1.StatusInfoResponse;
import zisk.distributed.api.v1.SystemStatus;
import zisk.distributed.coordinator.scheduling.Effects;
import zisk.distributed.coordinator.store.ClusterStore;
import zisk.distributed.coordinator.store.ClusterStore.ClusterCounts;
import zisk.distributed.coordinator.store.Job;
import zisk.distributed.coordinator.store.JobCursor;
import zisk.distributed.coordinator.store.JobPage;
import zisk.distributed.coordinator.store.JobState;
import zisk.distributed.coordinator.store.JobStore;
import zisk.distributed.coordinator.store.JobStore.CancelOutcome;
import zisk.distributed.coordinator.store.JobStore.LaunchOutcome;
import zisk.distributed.coordinator.store.ProverStore;

/**
 * The admin RPCs: validate, run one store transaction, map the answer. Throws {@link ApiException}
 * for expected failures; the service turns every failure into an {@code ErrorResponse}.
 */
public final class AdminApi {

  static final int DEFAULT_PAGE_SIZE = 50;
  static final int MAX_PAGE_SIZE = 500;

  /** Facts about this coordinator process for StatusInfo. */
  public record Identity(String serviceName, String version, String environment, UUID instanceId, Instant startedAt) {}

  private final JobStore jobs;
  private final ProverStore provers;
  private final ClusterStore cluster;
  private final ProtoMapper mapper;
  private final LaunchRequests launchRequests;
  private final Identity identity;
  private final IntSupplier activeConnections;
  private final Clock clock;
  private final Consumer<Effects> afterCommit;

  /**
   * @param afterCommit applies what a committed launch or cancel means for the cluster (admission,
   *     JobCancelled to the provers)
   */
  public AdminApi(JobStore jobs, ProverStore provers, ClusterStore cluster, int maxComputeCapacity, int maxAttempts,
      Identity identity, IntSupplier activeConnections, Clock clock, Consumer<Effects> afterCommit) {
    this.jobs = jobs;
    this.provers = provers;
    this.cluster = cluster;
    this.mapper = new ProtoMapper(clock);
    this.launchRequests = new LaunchRequests(maxComputeCapacity, maxAttempts);
    this.identity = identity;
    this.activeConnections = activeConnections;
    this.clock = clock;
    this.afterCommit = afterCommit;
  }

  public StatusInfoResponse statusInfo() {
    Instant now = clock.instant();
    return StatusInfoResponse.newBuilder()
        .setServiceName(identity.serviceName())
        .setVersion(identity.version())
        .setUptimeSeconds(Math.max(0, Duration.between(identity.startedAt(), now).toSeconds()))
        .setStartTime(ProtoMapper.timestamp(identity.startedAt()))
        .setMetrics(Metrics.newBuilder().setActiveConnections(activeConnections.getAsInt()))
        .setInstanceId(identity.instanceId().toString())
        .setEnvironment(identity.environment())
        .build();
  }

  public SystemStatus systemStatus() {
    return mapper.systemStatus(cluster.counts());
  }

  public String launchProof(LaunchProofRequest request) {
    LaunchOutcome outcome = jobs.launch(launchRequests.validate(request));
    if (outcome instanceof LaunchOutcome.Created created) {
      afterCommit.accept(Effects.none().admit());
      return created.jobId().toString();
    }
    if (outcome instanceof LaunchOutcome.Existing existing) {
      return existing.jobId().toString();
    }
    LaunchOutcome.Conflict conflict = (LaunchOutcome.Conflict) outcome;
    throw new ApiException(ApiException.FAILED_PRECONDITION, "client_request_id '" + request.getClientRequestId().strip()
        + "' was already used to launch job " + conflict.jobId() + " with different parameters");
  }

  public JobStatus jobStatus(String jobId) {
    Job job = jobs.find(parseJobId(jobId)).orElseThrow(() -> ApiException.jobNotFound(jobId));
    return mapper.jobStatus(job, waitingReason(job));
  }

  public JobsList jobsList(JobsListRequest request) {
    int limit = request.getLimit() == 0 ? DEFAULT_PAGE_SIZE : Math.min(request.getLimit(), MAX_PAGE_SIZE);
    if (limit < 0) {
      limit = MAX_PAGE_SIZE; // uint32 above 2^31 reads negative: more than the cap anyway
    }
    Optional<JobCursor> after = Optional.empty();
    if (!request.getPageToken().isEmpty()) {
      after = Optional.of(JobCursor.decode(request.getPageToken())
          .orElseThrow(() -> ApiException.invalidArgument("page_token is not one this server issued")));
    }
    JobPage page = jobs.list(request.getActiveOnly(), limit, after);
    JobsList.Builder list = JobsList.newBuilder();
    page.jobs().forEach(job -> list.addJobs(mapper.jobStatus(job, job.waitingReason())));
    page.next().ifPresent(next -> list.setNextPageToken(next.encode()));
    return list.build();
  }

  public ProversList proversList(ProversListRequest request) {
    ProversList.Builder list = ProversList.newBuilder();
    provers.list(request.getAvailableOnly()).forEach(prover -> list.addProvers(mapper.proverInfo(prover)));
    return list.build();
  }

  public JobStatus cancelJob(CancelJobRequest request) {
    String reason = request.getReason().isBlank() ? "cancelled by operator" : request.getReason().strip();
    if (reason.length() > 1024) {
      throw ApiException.invalidArgument("reason is " + reason.length() + " characters long; the limit is 1024");
    }
    CancelOutcome outcome = jobs.cancel(parseJobId(request.getJobId()), reason);
    if (outcome instanceof CancelOutcome.Cancelled cancelled) {
      Effects effects = Effects.none().admit();
      cancelled.proverTasks().forEach((prover, task) -> effects.cancel(prover, cancelled.job().jobId(), task, reason));
      afterCommit.accept(effects);
      return mapper.jobStatus(cancelled.job(), null);
    }
    if (outcome instanceof CancelOutcome.AlreadyFinished finished) {
      throw new ApiException(ApiException.FAILED_PRECONDITION,
          "job " + request.getJobId() + " is already " + finished.job().state() + "; only QUEUED or RUNNING jobs can be cancelled");
    }
    throw ApiException.jobNotFound(request.getJobId());
  }

  public JobProof getProof(String jobId) {
    Job job = jobs.find(parseJobId(jobId)).orElseThrow(() -> ApiException.jobNotFound(jobId));
    if (job.state() != JobState.COMPLETED) {
      throw new ApiException(ApiException.PROOF_NOT_READY, "job " + jobId + " is " + job.state()
          + (job.phase() == null ? "" : " (phase " + job.phase() + ")")
          + "; its proof is available once it is COMPLETED");
    }
    byte[] stored = jobs.finalProof(job.jobId()).orElseThrow(() -> ApiException.jobNotFound(jobId));
    try {
      return JobProof.newBuilder()
          .setJobId(jobId)
          .setBlockId(job.blockId())
          .setFinalProof(FinalProofList.parseFrom(stored))
          .build();
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("stored final proof of job " + jobId + " is unreadable", e);
    }
  }

  /** Job ids are UUIDs; anything else cannot name a job. */
  static UUID parseJobId(String jobId) {
    if (jobId.isBlank()) {
      throw ApiException.invalidArgument("job_id is required");
    }
    try {
      if (jobId.length() == 36) {
        return UUID.fromString(jobId);
      }
    } catch (IllegalArgumentException e) {
      // falls through: malformed ids are unknown ids
    }
    throw ApiException.jobNotFound(jobId);
  }

  /** Why a queued job has not started, from its own row or from the cluster's idle capacity. */
  private String waitingReason(Job job) {
    if (job.state() != JobState.QUEUED) {
      return null;
    }
    if (job.waitingReason() != null) {
      return job.waitingReason();
    }
    ClusterCounts counts = cluster.counts();
    if (counts.computeCapacity() < job.computeCapacity()) {
      return "waiting for provers: needs " + job.computeCapacity() + " compute units, the connected provers have "
          + counts.computeCapacity() + " in all";
    }
    if (counts.idleComputeUnits() < job.computeCapacity()) {
      return "waiting for idle provers: needs " + job.computeCapacity() + " compute units, "
          + counts.idleComputeUnits() + " idle on " + counts.idleProvers() + " prover(s)";
    }
    return "waiting to be admitted (" + counts.queuedJobs() + " job(s) queued)";
  }
}
