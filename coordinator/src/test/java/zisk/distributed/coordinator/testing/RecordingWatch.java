package zisk.distributed.coordinator.testing;

import static org.awaitility.Awaitility.await;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import zisk.distributed.api.v1.JobEvent;
import zisk.distributed.api.v1.TaskProgress;
import zisk.distributed.api.v1.WatchJobRequest;
import zisk.distributed.api.v1.WatchJobResponse;
import zisk.distributed.api.v1.ZiskDistributedApiGrpc;

/**
 * A WatchJob client that records what it receives. With {@code manual}, it asks for one message at
 * a time ({@link #request}), as a slow client would; otherwise it takes all.
 */
public final class RecordingWatch
    implements ClientResponseObserver<WatchJobRequest, WatchJobResponse> {

  public static final Duration WAIT = Duration.ofSeconds(20);

  private final boolean manual;
  private final List<WatchJobResponse> received = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Status> ended = new CompletableFuture<>();
  private volatile ClientCallStreamObserver<WatchJobRequest> call;

  private RecordingWatch(boolean manual) {
    this.manual = manual;
  }

  public static RecordingWatch open(Channel channel, String jobId, long afterEventId) {
    return open(channel, jobId, afterEventId, false);
  }

  public static RecordingWatch open(
      Channel channel, String jobId, long afterEventId, boolean manual) {
    RecordingWatch watch = new RecordingWatch(manual);
    ZiskDistributedApiGrpc.newStub(channel)
        .watchJob(
            WatchJobRequest.newBuilder().setJobId(jobId).setAfterEventId(afterEventId).build(),
            watch);
    return watch;
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<WatchJobRequest> requestStream) {
    call = requestStream;
    if (manual) {
      requestStream.disableAutoRequestWithInitial(1);
    }
  }

  @Override
  public void onNext(WatchJobResponse value) {
    received.add(value);
  }

  @Override
  public void onError(Throwable t) {
    ended.complete(Status.fromThrowable(t));
  }

  @Override
  public void onCompleted() {
    ended.complete(Status.OK);
  }

  public void request(int messages) {
    call.request(messages);
  }

  public void cancel() {
    call.cancel("the test is done watching", null);
  }

  public List<WatchJobResponse> received() {
    return List.copyOf(received);
  }

  public List<JobEvent> events() {
    return received.stream().filter(WatchJobResponse::hasEvent).map(r -> r.getEvent()).toList();
  }

  public List<TaskProgress> progress() {
    return received.stream()
        .filter(WatchJobResponse::hasProgress)
        .map(r -> r.getProgress())
        .toList();
  }

  public Status awaitEnd() {
    await("the WatchJob stream to end").atMost(WAIT).until(ended::isDone);
    return ended.join();
  }

  public boolean hasEnded() {
    return ended.isDone();
  }
}
