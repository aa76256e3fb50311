package zisk.distributed.cli;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import zisk.distributed.api.v1.ErrorResponse;
import zisk.distributed.api.v1.FinalProofList;
import zisk.distributed.api.v1.GetProofRequest;
import zisk.distributed.api.v1.GetProofResponse;
import zisk.distributed.api.v1.JobEvent;
import zisk.distributed.api.v1.JobProof;
import zisk.distributed.api.v1.JobStatus;
import zisk.distributed.api.v1.JobStatusRequest;
import zisk.distributed.api.v1.JobStatusResponse;
import zisk.distributed.api.v1.LaunchProofRequest;
import zisk.distributed.api.v1.LaunchProofResponse;
import zisk.distributed.api.v1.StoredInput;
import zisk.distributed.api.v1.SystemStatus;
import zisk.distributed.api.v1.SystemStatusRequest;
import zisk.distributed.api.v1.SystemStatusResponse;
import zisk.distributed.api.v1.TaskProgress;
import zisk.distributed.api.v1.UploadInputRequest;
import zisk.distributed.api.v1.UploadInputResponse;
import zisk.distributed.api.v1.WatchJobRequest;
import zisk.distributed.api.v1.WatchJobResponse;
import zisk.distributed.api.v1.ZiskDistributedApiGrpc;

/**
 * A scripted coordinator on a real local socket, for the RPCs the real one does not serve yet
 * (UploadInput, WatchJob) and for failures it cannot be made to show on cue. It follows the proto's
 * contract: UploadInput answers at once for a first message naming stored bytes; WatchJob sends the
 * status, then the job's events after {@code after_event_id} (and progress), then completes.
 */
final class FakeCoordinator extends ZiskDistributedApiGrpc.ZiskDistributedApiImplBase
    implements AutoCloseable {

  /** The job every launch answers. */
  static final String JOB_ID = "6f1c1c8e-7a43-4a43-9b1e-3d0f7f9d2a11";

  final Set<String> stored = ConcurrentHashMap.newKeySet();
  final List<UploadInputRequest> uploadMessages = new CopyOnWriteArrayList<>();
  final List<LaunchProofRequest> launches = new CopyOnWriteArrayList<>();
  final List<Long> watchedAfter = new CopyOnWriteArrayList<>();
  final Map<String, byte[]> uploads = new ConcurrentHashMap<>();
  final AtomicInteger watchCalls = new AtomicInteger();

  /** The job's events, in order; progress messages go after the event with the same index. */
  volatile List<JobEvent> events = List.of();

  volatile List<TaskProgress> progress = List.of();

  /** The job's state once its stream ends. */
  volatile String finalState = "COMPLETED";

  /** When >= 0: the watch stream fails with UNAVAILABLE after this many events. */
  volatile int breakAfterEvents = -1;

  /** When true: the next LaunchProof is recorded, then fails as if the coordinator went away. */
  volatile boolean dropNextLaunch;

  /** When true: the watch stream sends the status, then stays open (a job that runs on). */
  volatile boolean holdWatch;

  volatile FinalProofList proof = FinalProofList.getDefaultInstance();

  private final Server server;

  FakeCoordinator() {
    try {
      server =
          Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
              .addService(this)
              .build()
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String url() {
    return "http://127.0.0.1:" + server.getPort();
  }

  static JobEvent event(long id, String kind, String state, String phase, String prover) {
    return JobEvent.newBuilder()
        .setEventId(id)
        .setJobId(JOB_ID)
        .setKind(kind)
        .setState(state)
        .setPhase(phase)
        .setProverId(prover)
        .build();
  }

  JobStatus job(String state) {
    return JobStatus.newBuilder()
        .setJobId(JOB_ID)
        .setBlockId("block-1")
        .setState(state)
        .setPhase(state.equals("QUEUED") ? "" : "AGGREGATE")
        .setComputeCapacity(4)
        .setAttempt(1)
        .setMaxAttempts(3)
        .setError(
            state.equals("FAILED")
                ? ErrorResponse.newBuilder()
                    .setCode("INTERNAL")
                    .setMessage("prover exploded")
                    .build()
                : ErrorResponse.getDefaultInstance())
        .build();
  }

  @Override
  public StreamObserver<UploadInputRequest> uploadInput(
      StreamObserver<UploadInputResponse> responses) {
    ServerCallStreamObserver<UploadInputResponse> call =
        (ServerCallStreamObserver<UploadInputResponse>) responses;
    call.disableAutoRequest();
    call.request(1);
    return new StreamObserver<>() {
      final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      String sha256 = "";
      boolean answered;

      @Override
      public void onNext(UploadInputRequest message) {
        uploadMessages.add(message);
        if (uploadMessages.size() == 1 || sha256.isEmpty()) {
          sha256 = message.getSha256();
        }
        bytes.writeBytes(message.getChunk().toByteArray());
        if (stored.contains(sha256) && !answered) {
          answered = true;
          answer(sha256, 0, true);
          return; // requests nothing more: the client must stop by itself
        }
        call.request(1);
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        if (answered) {
          return;
        }
        byte[] all = bytes.toByteArray();
        String id = sha256Hex(all);
        uploads.put(id, all);
        stored.add(id);
        answer(id, all.length, false);
      }

      private void answer(String id, long size, boolean already) {
        responses.onNext(
            UploadInputResponse.newBuilder()
                .setInput(
                    StoredInput.newBuilder()
                        .setInputId(id)
                        .setSizeBytes(size)
                        .setAlreadyStored(already))
                .build());
        responses.onCompleted();
      }
    };
  }

  @Override
  public void launchProof(
      LaunchProofRequest request, StreamObserver<LaunchProofResponse> responses) {
    launches.add(request);
    if (dropNextLaunch) {
      dropNextLaunch = false;
      responses.onError(Status.UNAVAILABLE.withDescription("went away").asException());
      return;
    }
    responses.onNext(LaunchProofResponse.newBuilder().setJobId(JOB_ID).build());
    responses.onCompleted();
  }

  @Override
  public void systemStatus(
      SystemStatusRequest request, StreamObserver<SystemStatusResponse> responses) {
    responses.onNext(
        SystemStatusResponse.newBuilder()
            .setStatus(SystemStatus.newBuilder().setComputeCapacity(6).setTotalProvers(3))
            .build());
    responses.onCompleted();
  }

  @Override
  public void jobStatus(JobStatusRequest request, StreamObserver<JobStatusResponse> responses) {
    JobStatusResponse.Builder answer = JobStatusResponse.newBuilder();
    if (request.getJobId().equals(JOB_ID)) {
      answer.setJob(job(finalState));
    } else {
      answer.setError(
          ErrorResponse.newBuilder().setCode("JOB_NOT_FOUND").setMessage("no such job"));
    }
    responses.onNext(answer.build());
    responses.onCompleted();
  }

  @Override
  public void getProof(GetProofRequest request, StreamObserver<GetProofResponse> responses) {
    responses.onNext(
        GetProofResponse.newBuilder()
            .setProof(
                JobProof.newBuilder().setJobId(JOB_ID).setBlockId("block-1").setFinalProof(proof))
            .build());
    responses.onCompleted();
  }

  @Override
  public void watchJob(WatchJobRequest request, StreamObserver<WatchJobResponse> responses) {
    watchCalls.incrementAndGet();
    watchedAfter.add(request.getAfterEventId());
    if (!request.getJobId().equals(JOB_ID)) {
      responses.onNext(
          WatchJobResponse.newBuilder()
              .setError(
                  ErrorResponse.newBuilder().setCode("JOB_NOT_FOUND").setMessage("no such job"))
              .build());
      responses.onCompleted();
      return;
    }
    responses.onNext(WatchJobResponse.newBuilder().setStatus(job("RUNNING")).build());
    if (holdWatch) {
      return;
    }
    int sent = 0;
    for (int i = 0; i < events.size(); i++) {
      JobEvent event = events.get(i);
      if (event.getEventId() <= request.getAfterEventId()) {
        continue;
      }
      if (breakAfterEvents >= 0 && sent == breakAfterEvents) {
        responses.onError(
            Status.UNAVAILABLE.withDescription("coordinator going away").asException());
        return;
      }
      responses.onNext(WatchJobResponse.newBuilder().setEvent(event).build());
      sent++;
      if (i < progress.size()) {
        responses.onNext(WatchJobResponse.newBuilder().setProgress(progress.get(i)).build());
      }
    }
    responses.onCompleted();
  }

  static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
