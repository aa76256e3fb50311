package zisk.distributed.coordinator.api;

import com.google.protobuf.InvalidProtocolBufferException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
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
import zisk.distributed.common.rules.SafeText;
import zisk.distributed.common.rules.Uuids;
import zisk.distributed.coordinator.auth.Caller;
import zisk.distributed.coordinator.auth.Callers;
import zisk.distributed.coordinator.config.TaskTimeouts;
import zisk.distributed.coordinator.lifecycle.CancelOutcome;
import zisk.distributed.coordinator.lifecycle.Effects;
import zisk.distributed.coordinator.lifecycle.JobLifecycle;
import zisk.distributed.coordinator.lifecycle.LaunchOutcome;
import zisk.distributed.coordinator.store.ClusterDao.ClusterCounts;
import zisk.distributed.coordinator.store.Job;
import zisk.distributed.coordinator.store.JobCursor;
import zisk.distributed.coordinator.store.JobState;
import zisk.distributed.coordinator.store.NewJob;
import zisk.distributed.coordinator.store.Prover;
import zisk.distributed.coordinator.store.ProverCursor;
import zisk.distributed.coordinator.store.Store;

/**
 * The admin RPCs: validate, run one store transaction, map the answer. Throws {@link ApiException}
 * for expected failures; the service turns every failure into an {@code ErrorResponse}.
 */
public final class AdminApi {

  static final int DEFAULT_PAGE_SIZE = 50;
  static final int MAX_PAGE_SIZE = 500;

  /** Facts about this coordinator process for StatusInfo. */
  public record Identity(
      String serviceName, String version, String environment, UUID instanceId, Instant startedAt) {}

  private final JobLifecycle lifecycle;
  private final Store store;
  private final Duration instanceLiveness;
  private final ProtoMapper mapper;
  private final LaunchRequests launchRequests;
  private final Identity identity;
  private final IntSupplier activeConnections;
  private final Clock clock;
  private final BiFunction<NewJob, Integer, LaunchOutcome> launcher;
  private final Consumer<Effects> afterCommit;
  private final int maxQueuedJobs;

  /**
   * @param launcher launches a job, unless as many jobs as the second argument are QUEUED, and
   *     starts it at once where it fits (Scheduler#launch)
   * @param afterCommit applies what a committed cancel means for the cluster (JobCancelled to the
   *     provers, admission)
   * @param timeouts the coordinator's task time limits, which a job may lower
   */
  public AdminApi(
      JobLifecycle lifecycle,
      Store store,
      Duration instanceLiveness,
      int maxComputeCapacity,
      int maxAttempts,
      Identity identity,
      IntSupplier activeConnections,
      Clock clock,
      BiFunction<NewJob, Integer, LaunchOutcome> launcher,
      Consumer<Effects> afterCommit,
      int maxQueuedJobs,
      TaskTimeouts timeouts,
      WebhookUrls webhookUrls) {
    this.lifecycle = lifecycle;
    this.store = store;
    this.instanceLiveness = instanceLiveness;
    this.mapper = new ProtoMapper(clock);
    this.launchRequests =
        new LaunchRequests(maxComputeCapacity, maxAttempts, timeouts, webhookUrls);
    this.identity = identity;
    this.activeConnections = activeConnections;
    this.clock = clock;
    this.launcher = launcher;
    this.afterCommit = afterCommit;
    this.maxQueuedJobs = maxQueuedJobs;
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
    return mapper.systemStatus(counts());
  }

  public String launchProof(LaunchProofRequest request) {
    NewJob job = launchRequests.validate(request, Callers.current().tokenName());
    LaunchOutcome outcome = launcher.apply(job, maxQueuedJobs);
    if (outcome instanceof LaunchOutcome.Created created) {
      return created.jobId().toString();
    }
    if (outcome instanceof LaunchOutcome.Existing existing) {
      return existing.jobId().toString();
    }
    if (outcome instanceof LaunchOutcome.QueueFull) {
      throw new ApiException(
          ApiException.RESOURCE_EXHAUSTED,
          "the queue is full ("
              + maxQueuedJobs
              + " jobs QUEUED, this coordinator's jobs.max_queued); retry once jobs have started");
    }
    if (outcome instanceof LaunchOutcome.UnknownInput) {
      throw ApiException.invalidArgument(
          "unknown input_id " + job.inputId() + ": upload the input with UploadInput first");
    }
    if (outcome instanceof LaunchOutcome.TakenByAnother) {
      throw new ApiException(
          ApiException.FAILED_PRECONDITION,
          "client_request_id '"
              + request.getClientRequestId().strip()
              + "' was already used by another token; choose another");
    }
    LaunchOutcome.Conflict conflict = (LaunchOutcome.Conflict) outcome;
    throw new ApiException(
        ApiException.FAILED_PRECONDITION,
        "client_request_id '"
            + request.getClientRequestId().strip()
            + "' was already used to launch job "
            + conflict.jobId()
            + " with different parameters");
  }

  public JobStatus jobStatus(String jobId) {
    Job job = findJob(jobId);
    return mapper.jobStatus(job, waitingReason(job, this::counts));
  }

  public JobsList jobsList(JobsListRequest request) {
    int limit = pageSize(request.getLimit());
    Optional<JobCursor> after =
        request.getPageToken().isEmpty()
            ? Optional.empty()
            : Optional.of(
                JobCursor.decode(request.getPageToken())
                    .orElseThrow(
                        () ->
                            ApiException.invalidArgument(
                                "page_token is not one this server issued")));
    // One more than a page tells whether another page follows.
    List<Job> jobs =
        store.read(
            tx ->
                tx.jobs()
                    .list(
                        request.getActiveOnly(),
                        after.map(JobCursor::createdAt).orElse(null),
                        after.map(JobCursor::jobId).orElse(null),
                        limit + 1));
    JobsList.Builder list = JobsList.newBuilder();
    // The cluster's counts, read once for the page and only if a queued job needs them.
    ClusterCounts[] counts = new ClusterCounts[1];
    Supplier<ClusterCounts> once = () -> counts[0] != null ? counts[0] : (counts[0] = counts());
    jobs.stream()
        .limit(limit)
        .forEach(job -> list.addJobs(mapper.jobStatus(job, waitingReason(job, once))));
    if (jobs.size() > limit) {
      Job last = jobs.get(limit - 1);
      list.setNextPageToken(new JobCursor(last.createdAt(), last.jobId()).encode());
    }
    return list.build();
  }

  public ProversList proversList(ProversListRequest request) {
    int limit = pageSize(request.getLimit());
    String after =
        request.getPageToken().isEmpty()
            ? null
            : ProverCursor.decode(request.getPageToken())
                .orElseThrow(
                    () -> ApiException.invalidArgument("page_token is not one this server issued"))
                .afterId();
    // One more than a page tells whether another page follows.
    List<Prover> provers =
        store.read(
            tx ->
                tx.proverList()
                    .list(request.getAvailableOnly(), after, limit + 1, clock.instant()));
    ProversList.Builder list = ProversList.newBuilder();
    provers.stream().limit(limit).forEach(prover -> list.addProvers(mapper.proverInfo(prover)));
    if (provers.size() > limit) {
      list.setNextPageToken(new ProverCursor(provers.get(limit - 1).proverId()).encode());
    }
    return list.build();
  }

  /** A page's size: 0 is the default; uint32 on the wire, so above 2^31 it reads negative. */
  private static int pageSize(int requested) {
    if (requested == 0) {
      return DEFAULT_PAGE_SIZE;
    }
    return Integer.compareUnsigned(requested, MAX_PAGE_SIZE) > 0 ? MAX_PAGE_SIZE : requested;
  }

  public JobStatus cancelJob(CancelJobRequest request) {
    String reason =
        request.getReason().isBlank() ? "cancelled by operator" : request.getReason().strip();
    LaunchRequests.requirePrintable("reason", reason, SafeText.MAX_REASON);
    Caller caller = Callers.current();
    UUID jobId = JobOwnership.jobId(caller, request.getJobId(), "cancel");
    CancelOutcome outcome =
        lifecycle.cancel(jobId, reason, caller.tokenNameOrNull(), caller.ownJobsOnly());
    if (outcome instanceof CancelOutcome.Cancelled cancelled) {
      afterCommit.accept(cancelled.effects());
      return mapper.jobStatus(cancelled.job(), null);
    }
    if (outcome instanceof CancelOutcome.AlreadyFinished finished) {
      throw new ApiException(
          ApiException.FAILED_PRECONDITION,
          "job "
              + request.getJobId()
              + " is already "
              + finished.job().state()
              + "; only QUEUED or RUNNING jobs can be cancelled");
    }
    if (caller.ownJobsOnly()) {
      throw JobOwnership.refusal(caller, "cancel", request.getJobId());
    }
    throw ApiException.jobNotFound(request.getJobId());
  }

  public JobProof getProof(String jobId) {
    Caller caller = Callers.current();
    UUID id = JobOwnership.jobId(caller, jobId, "fetch the proof of");
    Job job =
        store
            .read(tx -> tx.jobs().find(id))
            .filter(found -> JobOwnership.mayTouch(caller, found))
            .orElseThrow(
                () ->
                    caller.ownJobsOnly()
                        ? JobOwnership.refusal(caller, "fetch the proof of", jobId)
                        : ApiException.jobNotFound(jobId));
    if (job.state() != JobState.COMPLETED) {
      throw new ApiException(
          ApiException.PROOF_NOT_READY,
          "job "
              + jobId
              + " is "
              + job.state()
              + (job.phase() == null ? "" : " (phase " + job.phase() + ")")
              + "; its proof is available once it is COMPLETED");
    }
    byte[] stored =
        store
            .read(tx -> tx.jobs().finalProof(job.jobId()))
            .orElseThrow(() -> ApiException.jobNotFound(jobId));
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

  private Job findJob(String jobId) {
    UUID id = parseJobId(jobId);
    return store.read(tx -> tx.jobs().find(id)).orElseThrow(() -> ApiException.jobNotFound(jobId));
  }

  private ClusterCounts counts() {
    return store.read(
        tx -> tx.cluster().counts(instanceLiveness.toMillis() / 1000.0, clock.instant()));
  }

  /**
   * Job ids are UUIDs; anything else is refused before any lookup, and quoted shortened: an id can
   * be as long as a message.
   */
  static UUID parseJobId(String jobId) {
    if (jobId.isBlank()) {
      throw ApiException.invalidArgument("job_id is required");
    }
    return Uuids.parse(jobId)
        .orElseThrow(
            () ->
                ApiException.invalidArgument(
                    "job_id '"
                        + SafeText.shorten(jobId)
                        + "' is not a job id: job ids are the UUIDs LaunchProof answers"));
  }

  /**
   * Why a queued job has not started, read live (admission writes nothing for a job that keeps
   * waiting): a job larger than the whole connected cluster says so first, whatever happened
   * before; else its own row after a failed attempt; else the idle capacity it waits for.
   */
  private static String waitingReason(Job job, Supplier<ClusterCounts> cluster) {
    if (job.state() != JobState.QUEUED) {
      return null;
    }
    ClusterCounts counts = cluster.get();
    if (counts.computeCapacity() < job.computeCapacity()) {
      return "larger than the cluster: " + counts.computeCapacity() + " units connected";
    }
    if (job.waitingReason() != null) {
      return job.waitingReason();
    }
    if (counts.idleComputeUnits() < job.computeCapacity()) {
      return "waiting for idle provers: needs "
          + job.computeCapacity()
          + " compute units, "
          + counts.idleComputeUnits()
          + " idle on "
          + counts.idleProvers()
          + " prover(s)"
          + (counts.quarantinedProvers() > 0
              ? ", " + counts.quarantinedProvers() + " quarantined"
              : "");
    }
    return "waiting to be admitted (" + counts.queuedJobs() + " job(s) queued)";
  }
}
