package zisk.distributed.coordinator.testing;

import io.grpc.Channel;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import zisk.distributed.api.v1.ComputeCapacity;
import zisk.distributed.api.v1.CoordinatorMessage;
import zisk.distributed.api.v1.ExecuteTaskResponse;
import zisk.distributed.api.v1.HeartbeatAck;
import zisk.distributed.api.v1.ProverMessage;
import zisk.distributed.api.v1.ProverRegisterRequest;
import zisk.distributed.api.v1.ZiskDistributedApiGrpc;

/**
 * A hand-driven ProverStream client for protocol tests: it sends exactly what the test says and
 * records everything the coordinator sends. Heartbeats are acknowledged only when asked to.
 */
public final class RawProver implements AutoCloseable {

  private final BlockingQueue<CoordinatorMessage> received = new LinkedBlockingQueue<>();
  private final CompletableFuture<Throwable> ended = new CompletableFuture<>();
  private final StreamObserver<ProverMessage> out;
  private volatile boolean ackHeartbeats;

  public RawProver(Channel channel) {
    out = ZiskDistributedApiGrpc.newStub(channel).proverStream(new StreamObserver<>() {
      @Override
      public void onNext(CoordinatorMessage message) {
        if (message.hasHeartbeat() && ackHeartbeats) {
          send(ProverMessage.newBuilder().setHeartbeatAck(HeartbeatAck.getDefaultInstance()).build());
        }
        received.add(message);
      }

      @Override
      public void onError(Throwable error) {
        ended.complete(error);
      }

      @Override
      public void onCompleted() {
        ended.complete(null);
      }
    });
  }

  /** Registers and answers heartbeats from now on; returns the coordinator's answer. */
  public CoordinatorMessage register(String proverId, int units) {
    ackHeartbeats = true;
    send(ProverMessage.newBuilder().setRegister(ProverRegisterRequest.newBuilder()
        .setProverId(proverId).setComputeCapacity(ComputeCapacity.newBuilder().setComputeUnits(units))).build());
    return await("register_response", Duration.ofSeconds(20), CoordinatorMessage::hasRegisterResponse);
  }

  public synchronized void send(ProverMessage message) {
    out.onNext(message);
  }

  public void sendResult(ExecuteTaskResponse response) {
    send(ProverMessage.newBuilder().setExecuteTaskResponse(response).build());
  }

  public void stopAcknowledgingHeartbeats() {
    ackHeartbeats = false;
  }

  /** The next received message matching {@code wanted}; earlier non-matching ones are dropped. */
  public CoordinatorMessage await(String what, Duration timeout, Predicate<CoordinatorMessage> wanted) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        CoordinatorMessage message = left <= 0 ? null : received.poll(left, TimeUnit.NANOSECONDS);
        if (message == null) {
          throw new AssertionError("timed out after " + timeout + " waiting for " + what);
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

  /** How the stream ended (null for a clean end), waiting up to {@code timeout}. */
  public Throwable awaitEnd(Duration timeout) throws Exception {
    return ended.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void close() {
    try {
      out.onCompleted();
    } catch (RuntimeException e) {
      // already closed
    }
  }
}
