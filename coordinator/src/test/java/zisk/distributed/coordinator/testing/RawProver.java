package zisk.distributed.coordinator.testing;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import zisk.distributed.api.v1.Challenges;
import zisk.distributed.api.v1.ChallengesList;
import zisk.distributed.api.v1.ComputeCapacity;
import zisk.distributed.api.v1.CoordinatorMessage;
import zisk.distributed.api.v1.ExecuteTaskRequest;
import zisk.distributed.api.v1.ExecuteTaskResponse;
import zisk.distributed.api.v1.FinalProof;
import zisk.distributed.api.v1.FinalProofList;
import zisk.distributed.api.v1.HeartbeatAck;
import zisk.distributed.api.v1.Proof;
import zisk.distributed.api.v1.ProofList;
import zisk.distributed.api.v1.ProverMessage;
import zisk.distributed.api.v1.ProverReconnectRequest;
import zisk.distributed.api.v1.ProverRegisterRequest;
import zisk.distributed.api.v1.ProverRegisterResponse;
import zisk.distributed.api.v1.ZiskDistributedApiGrpc;
import zisk.distributed.common.concurrent.DaemonThreads;

/**
 * A hand-driven ProverStream client on the generated async stub: it sends exactly what the test
 * tells it to (including messages a real worker never sends) and records what comes back.
 * Heartbeats are answered automatically unless the test asks for silence.
 */
public final class RawProver implements AutoCloseable {

  public static final Duration WAIT = Duration.ofSeconds(15);

  private final BlockingQueue<CoordinatorMessage> received = new LinkedBlockingQueue<>();
  private final List<CoordinatorMessage> everything = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Status> ended = new CompletableFuture<>();
  private final AtomicInteger heartbeats = new AtomicInteger();
  private final boolean ackHeartbeats;
  // Acks go out from their own thread: with the in-process direct executor, the coordinator calls
  // onNext while holding its session's lock, and sending inline would wait for this prover's lock,
  // which a test thread may hold while its own send waits for that session lock (a deadlock).
  private final ExecutorService acks =
      Executors.newSingleThreadExecutor(DaemonThreads.named("raw-prover-acks"));
  private volatile String proverId = "";
  private ClientCallStreamObserver<ProverMessage> requests;

  private RawProver(boolean ackHeartbeats) {
    this.ackHeartbeats = ackHeartbeats;
  }

  /** Opens a stream; {@code ackHeartbeats} false makes a prover that never answers heartbeats. */
  public static RawProver open(Channel channel, boolean ackHeartbeats) {
    RawProver prover = new RawProver(ackHeartbeats);
    ZiskDistributedApiGrpc.newStub(channel).proverStream(prover.new Responses());
    return prover;
  }

  public synchronized void send(ProverMessage message) {
    requests.onNext(message);
  }

  /** Sends register and answers the coordinator's reply. */
  public ProverRegisterResponse register(String id, int computeUnits) {
    proverId = id;
    send(
        ProverMessage.newBuilder()
            .setRegister(
                ProverRegisterRequest.newBuilder()
                    .setProverId(id)
                    .setComputeCapacity(ComputeCapacity.newBuilder().setComputeUnits(computeUnits)))
            .build());
    return await("register_response", CoordinatorMessage::hasRegisterResponse)
        .getRegisterResponse();
  }

  /** Sends reconnect (empty strings leave the fields unset) and answers the coordinator's reply. */
  public ProverRegisterResponse reconnect(
      String id, int computeUnits, String lastKnownJobId, String sessionSecret) {
    proverId = id;
    send(
        ProverMessage.newBuilder()
            .setReconnect(
                ProverReconnectRequest.newBuilder()
                    .setProverId(id)
                    .setComputeCapacity(ComputeCapacity.newBuilder().setComputeUnits(computeUnits))
                    .setLastKnownJobId(lastKnownJobId)
                    .setSessionSecret(sessionSecret))
            .build());
    return await("register_response", CoordinatorMessage::hasRegisterResponse)
        .getRegisterResponse();
  }

  /** Every message received so far but heartbeats, in order, including those already awaited. */
  public List<CoordinatorMessage> receivedSoFar() {
    return List.copyOf(everything);
  }

  public ExecuteTaskRequest awaitTask() {
    return await("execute_task", CoordinatorMessage::hasExecuteTask).getExecuteTask();
  }

  public void awaitJobCancelled(String jobId) {
    await(
        "job_cancelled for " + jobId,
        message -> message.hasJobCancelled() && message.getJobCancelled().getJobId().equals(jobId));
  }

  /** Waits for the next message that matches, skipping others; fails after {@link #WAIT}. */
  public CoordinatorMessage await(String what, Predicate<CoordinatorMessage> wanted) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        CoordinatorMessage message = left <= 0 ? null : received.poll(left, TimeUnit.NANOSECONDS);
        if (message == null) {
          throw new AssertionError(
              "prover "
                  + proverId
                  + ": no "
                  + what
                  + " within "
                  + WAIT
                  + (ended.isDone() ? "; the stream ended with " + ended.join() : ""));
        }
        if (wanted.test(message)) {
          return message;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for " + what);
    }
  }

  /** Waits for the stream to end and answers its status (OK for a normal completion). */
  public Status awaitEnd() {
    try {
      return ended.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("prover " + proverId + ": the stream did not end within " + WAIT, e);
    }
  }

  /**
   * The register response, or null when the stream ended without one; fails after {@link #WAIT}.
   */
  public CoordinatorMessage awaitAnswerOrEnd() {
    long deadline = System.nanoTime() + WAIT.toNanos();
    try {
      while (System.nanoTime() < deadline) {
        CoordinatorMessage message = received.poll(50, TimeUnit.MILLISECONDS);
        if (message != null && message.hasRegisterResponse()) {
          return message;
        }
        if (message == null && ended.isDone() && received.isEmpty()) {
          return null;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw new AssertionError(
        "prover " + proverId + ": neither an answer nor an end within " + WAIT);
  }

  public boolean hasEnded() {
    return ended.isDone();
  }

  public int heartbeatsReceived() {
    return heartbeats.get();
  }

  /**
   * A successful result for {@code task}, as {@code fromProver} would send it, with made-up data.
   */
  public static ExecuteTaskResponse success(ExecuteTaskRequest task, String fromProver) {
    ExecuteTaskResponse.Builder response =
        ExecuteTaskResponse.newBuilder()
            .setJobId(task.getJobId())
            .setTaskId(task.getTaskId())
            .setProverId(fromProver)
            .setTaskType(task.getTaskType())
            .setSuccess(true);
    switch (task.getTaskType()) {
      case PARTIAL_CONTRIBUTION ->
          response.setChallenges(
              ChallengesList.newBuilder()
                  .addChallenges(
                      Challenges.newBuilder()
                          .setProverIndex(task.getContributionParams().getRankId())
                          .addChallenge(42)));
      case PROVE ->
          response.setProofs(ProofList.newBuilder().addProofs(Proof.newBuilder().addValues(7)));
      case AGGREGATE ->
          response.setFinalProof(
              FinalProofList.newBuilder().addFinalProofs(FinalProof.newBuilder().addValues(1)));
      default -> throw new IllegalArgumentException("no result for " + task.getTaskType());
    }
    return response.build();
  }

  public void sendResult(ExecuteTaskResponse response) {
    send(ProverMessage.newBuilder().setExecuteTaskResponse(response).build());
  }

  /** Cancels the call from this side, as a crashed client's transport would. */
  public void cancel() {
    requests.cancel("test cancels the stream", null);
  }

  @Override
  public void close() {
    if (!ended.isDone()) {
      cancel();
    }
    acks.shutdownNow();
  }

  private final class Responses
      implements ClientResponseObserver<ProverMessage, CoordinatorMessage> {

    @Override
    public void beforeStart(ClientCallStreamObserver<ProverMessage> stream) {
      requests = stream;
    }

    @Override
    public void onNext(CoordinatorMessage message) {
      if (message.hasHeartbeat()) {
        heartbeats.incrementAndGet();
        if (ackHeartbeats) {
          acks.execute(
              () -> {
                try {
                  send(
                      ProverMessage.newBuilder()
                          .setHeartbeatAck(HeartbeatAck.newBuilder().setProverId(proverId))
                          .build());
                } catch (RuntimeException e) {
                  // the call is already over; nothing to acknowledge
                }
              });
        }
        return;
      }
      everything.add(message);
      received.add(message);
    }

    @Override
    public void onError(Throwable error) {
      ended.complete(Status.fromThrowable(error));
    }

    @Override
    public void onCompleted() {
      ended.complete(Status.OK);
    }
  }
}
