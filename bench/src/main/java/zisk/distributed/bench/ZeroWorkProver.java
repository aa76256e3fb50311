package zisk.distributed.bench;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
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
import zisk.distributed.api.v1.ProverRegisterRequest;
import zisk.distributed.api.v1.ProverRegisterResponse;
import zisk.distributed.api.v1.ZiskDistributedApiGrpc;

/**
 * A prover that does no work, written from the .proto alone: one ProverStream that registers,
 * acknowledges every heartbeat, and answers every task at once, on the callback that delivered it,
 * with a successful result of the right shape. What remains to time is the coordinator.
 */
final class ZeroWorkProver implements ClientResponseObserver<ProverMessage, CoordinatorMessage> {

  private final String proverId;
  private final ProverEvents events;
  private final CompletableFuture<ProverRegisterResponse> registered = new CompletableFuture<>();
  private final CompletableFuture<Status> ended = new CompletableFuture<>();
  private final AtomicInteger heartbeats = new AtomicInteger();
  private final AtomicInteger cancellations = new AtomicInteger();
  private ClientCallStreamObserver<ProverMessage> requests;

  /**
   * The rank of this prover's current job (a prover runs one job at a time), for PROVE's answer.
   */
  private volatile int rank;

  private ZeroWorkProver(String proverId, ProverEvents events) {
    this.proverId = proverId;
    this.events = events;
  }

  /**
   * Opens the stream and sends {@code register}; {@link #registered()} completes with the answer.
   */
  static ZeroWorkProver connect(
      Channel channel, String proverId, int computeUnits, ProverEvents events) {
    ZeroWorkProver prover = new ZeroWorkProver(proverId, events);
    ZiskDistributedApiGrpc.newStub(channel).proverStream(prover);
    prover.send(
        ProverMessage.newBuilder()
            .setRegister(
                ProverRegisterRequest.newBuilder()
                    .setProverId(proverId)
                    .setComputeCapacity(ComputeCapacity.newBuilder().setComputeUnits(computeUnits)))
            .build());
    return prover;
  }

  /** A successful result for {@code task}: a few made-up words in the field its task type fills. */
  static ExecuteTaskResponse answer(ExecuteTaskRequest task, String proverId, int rank) {
    ExecuteTaskResponse.Builder response =
        ExecuteTaskResponse.newBuilder()
            .setJobId(task.getJobId())
            .setTaskId(task.getTaskId())
            .setProverId(proverId)
            .setTaskType(task.getTaskType())
            .setSuccess(true);
    switch (task.getTaskType()) {
      case PARTIAL_CONTRIBUTION ->
          response.setChallenges(
              ChallengesList.newBuilder()
                  .addChallenges(
                      Challenges.newBuilder()
                          .setProverIndex(rank)
                          .addChallenge(rank + 1L)
                          .addChallenge(2)
                          .addChallenge(3)));
      case PROVE ->
          response.setProofs(
              ProofList.newBuilder()
                  .addProofs(
                      Proof.newBuilder()
                          .setProverIndex(rank)
                          .addValues(rank + 7L)
                          .addValues(8)
                          .addValues(9)));
      case AGGREGATE ->
          response.setFinalProof(
              FinalProofList.newBuilder()
                  .addFinalProofs(
                      FinalProof.newBuilder().addValues(1).addValues(2).addValues(3).addValues(4)));
      default ->
          throw new IllegalArgumentException("no result for task type " + task.getTaskType());
    }
    return response.build();
  }

  CompletableFuture<ProverRegisterResponse> registered() {
    return registered;
  }

  String proverId() {
    return proverId;
  }

  int heartbeats() {
    return heartbeats.get();
  }

  /** JobCancelled messages received: none are expected, so the report mentions any. */
  int cancellations() {
    return cancellations.get();
  }

  boolean hasEnded() {
    return ended.isDone();
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<ProverMessage> stream) {
    requests = stream;
  }

  @Override
  public void onNext(CoordinatorMessage message) {
    long now = System.nanoTime();
    switch (message.getMessageCase()) {
      case EXECUTE_TASK -> execute(message.getExecuteTask(), now);
      case HEARTBEAT -> {
        heartbeats.incrementAndGet();
        send(
            ProverMessage.newBuilder()
                .setHeartbeatAck(HeartbeatAck.newBuilder().setProverId(proverId))
                .build());
      }
      case REGISTER_RESPONSE -> registered.complete(message.getRegisterResponse());
      case JOB_CANCELLED -> cancellations.incrementAndGet();
      default -> {}
    }
  }

  private void execute(ExecuteTaskRequest task, long receivedNanos) {
    events.taskReceived(task, receivedNanos);
    if (task.hasContributionParams()) {
      rank = task.getContributionParams().getRankId();
    }
    ExecuteTaskResponse result = answer(task, proverId, rank);
    long sentNanos = System.nanoTime();
    send(ProverMessage.newBuilder().setExecuteTaskResponse(result).build());
    events.resultSent(result, sentNanos);
  }

  private synchronized void send(ProverMessage message) {
    if (ended.isDone()) {
      return;
    }
    try {
      requests.onNext(message);
    } catch (RuntimeException e) {
      // the call is already over; onError reports it
    }
  }

  @Override
  public void onError(Throwable error) {
    Status status = Status.fromThrowable(error);
    ended.complete(status);
    registered.completeExceptionally(error);
  }

  @Override
  public void onCompleted() {
    ended.complete(Status.OK);
    registered.completeExceptionally(new IllegalStateException("the coordinator ended the stream"));
  }

  /** Cancels the stream from this side, as a prover going away would. */
  synchronized void close() {
    if (!ended.isDone()) {
      ended.complete(Status.CANCELLED);
      requests.cancel("bench done", null);
    }
  }
}
