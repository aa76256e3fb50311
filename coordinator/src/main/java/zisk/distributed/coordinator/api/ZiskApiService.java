package zisk.distributed.coordinator.api;

import io.grpc.stub.StreamObserver;
import zisk.distributed.api.v1.CancelJobRequest;
import zisk.distributed.api.v1.CancelJobResponse;
import zisk.distributed.api.v1.CoordinatorMessage;
import zisk.distributed.api.v1.ErrorResponse;
import zisk.distributed.api.v1.GetInputRequest;
import zisk.distributed.api.v1.GetInputResponse;
import zisk.distributed.api.v1.GetProofRequest;
import zisk.distributed.api.v1.GetProofResponse;
import zisk.distributed.api.v1.HealthCheckRequest;
import zisk.distributed.api.v1.HealthCheckResponse;
import zisk.distributed.api.v1.JobStatusRequest;
import zisk.distributed.api.v1.JobStatusResponse;
import zisk.distributed.api.v1.JobsListRequest;
import zisk.distributed.api.v1.JobsListResponse;
import zisk.distributed.api.v1.LaunchProofRequest;
import zisk.distributed.api.v1.LaunchProofResponse;
import zisk.distributed.api.v1.ProverMessage;
import zisk.distributed.api.v1.ProversListRequest;
import zisk.distributed.api.v1.ProversListResponse;
import zisk.distributed.api.v1.StatusInfoRequest;
import zisk.distributed.api.v1.StatusInfoResponse;
import zisk.distributed.api.v1.SystemStatusRequest;
import zisk.distributed.api.v1.SystemStatusResponse;
import zisk.distributed.api.v1.UploadInputRequest;
import zisk.distributed.api.v1.UploadInputResponse;
import zisk.distributed.api.v1.WatchJobRequest;
import zisk.distributed.api.v1.WatchJobResponse;
import zisk.distributed.api.v1.ZiskDistributedApiGrpc;
import zisk.distributed.coordinator.health.DatabaseHealth;
import zisk.distributed.coordinator.scheduling.JobWatchers;

/** {@code zisk.distributed.api.v1.ZiskDistributedApi}: each RPC delegates in one statement. */
public final class ZiskApiService extends ZiskDistributedApiGrpc.ZiskDistributedApiImplBase {

  private final AdminApi admin;
  private final DatabaseHealth health;
  private final UnaryCalls calls;
  private final ProverStreams streams;
  private final InputUploads uploads;
  private final InputDownloads downloads;
  private final WatchCalls watches;

  public ZiskApiService(
      AdminApi admin,
      ProverStreams streams,
      DatabaseHealth health,
      ErrorMapper errors,
      InputUploads uploads,
      InputDownloads downloads,
      JobWatchers watchers) {
    this.admin = admin;
    this.uploads = uploads;
    this.downloads = downloads;
    this.streams = streams;
    this.health = health;
    this.calls = new UnaryCalls(errors);
    this.watches = new WatchCalls(admin, watchers, errors);
  }

  @Override
  public StreamObserver<ProverMessage> proverStream(StreamObserver<CoordinatorMessage> responses) {
    return streams.open(responses);
  }

  @Override
  public void healthCheck(
      HealthCheckRequest request, StreamObserver<HealthCheckResponse> observer) {
    calls.answer(
        "HealthCheck",
        observer,
        this::checkHealth,
        error -> HealthCheckResponse.newBuilder().setStatus("NOT_SERVING").setError(error).build());
  }

  @Override
  public void statusInfo(StatusInfoRequest request, StreamObserver<StatusInfoResponse> observer) {
    calls.answer(
        "StatusInfo",
        observer,
        admin::statusInfo,
        error -> StatusInfoResponse.getDefaultInstance());
  }

  @Override
  public void systemStatus(
      SystemStatusRequest request, StreamObserver<SystemStatusResponse> observer) {
    calls.answer(
        "SystemStatus",
        observer,
        () -> SystemStatusResponse.newBuilder().setStatus(admin.systemStatus()).build(),
        error -> SystemStatusResponse.newBuilder().setError(error).build());
  }

  @Override
  public void jobsList(JobsListRequest request, StreamObserver<JobsListResponse> observer) {
    calls.answer(
        "JobsList",
        observer,
        () -> JobsListResponse.newBuilder().setJobsList(admin.jobsList(request)).build(),
        error -> JobsListResponse.newBuilder().setError(error).build());
  }

  @Override
  public void proversList(
      ProversListRequest request, StreamObserver<ProversListResponse> observer) {
    calls.answer(
        "ProversList",
        observer,
        () -> ProversListResponse.newBuilder().setProversList(admin.proversList(request)).build(),
        error -> ProversListResponse.newBuilder().setError(error).build());
  }

  @Override
  public void jobStatus(JobStatusRequest request, StreamObserver<JobStatusResponse> observer) {
    calls.answer(
        "JobStatus",
        observer,
        () -> JobStatusResponse.newBuilder().setJob(admin.jobStatus(request.getJobId())).build(),
        error -> JobStatusResponse.newBuilder().setError(error).build());
  }

  @Override
  public void launchProof(
      LaunchProofRequest request, StreamObserver<LaunchProofResponse> observer) {
    calls.answer(
        "LaunchProof",
        observer,
        () -> LaunchProofResponse.newBuilder().setJobId(admin.launchProof(request)).build(),
        error -> LaunchProofResponse.newBuilder().setError(error).build());
  }

  @Override
  public void cancelJob(CancelJobRequest request, StreamObserver<CancelJobResponse> observer) {
    calls.answer(
        "CancelJob",
        observer,
        () -> CancelJobResponse.newBuilder().setJob(admin.cancelJob(request)).build(),
        error -> CancelJobResponse.newBuilder().setError(error).build());
  }

  @Override
  public void getProof(GetProofRequest request, StreamObserver<GetProofResponse> observer) {
    calls.answer(
        "GetProof",
        observer,
        () -> GetProofResponse.newBuilder().setProof(admin.getProof(request.getJobId())).build(),
        error -> GetProofResponse.newBuilder().setError(error).build());
  }

  @Override
  public StreamObserver<UploadInputRequest> uploadInput(
      StreamObserver<UploadInputResponse> responses) {
    return uploads.open(responses);
  }

  @Override
  public void getInput(GetInputRequest request, StreamObserver<GetInputResponse> observer) {
    downloads.serve(request, observer);
  }

  @Override
  public void watchJob(WatchJobRequest request, StreamObserver<WatchJobResponse> observer) {
    watches.watch(request, observer);
  }

  private HealthCheckResponse checkHealth() {
    if (health.probeNow()) {
      return HealthCheckResponse.newBuilder().setStatus("SERVING").build();
    }
    return HealthCheckResponse.newBuilder()
        .setStatus("NOT_SERVING")
        .setError(
            ErrorResponse.newBuilder()
                .setCode(ApiException.SYSTEM_UNAVAILABLE)
                .setMessage("the coordinator's database is unavailable"))
        .build();
  }
}
