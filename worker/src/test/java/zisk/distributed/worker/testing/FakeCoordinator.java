package zisk.distributed.worker.testing;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import zisk.distributed.api.v1.CoordinatorMessage;
import zisk.distributed.api.v1.ExecuteTaskRequest;
import zisk.distributed.api.v1.ExecuteTaskResponse;
import zisk.distributed.api.v1.Heartbeat;
import zisk.distributed.api.v1.JobCancelled;
import zisk.distributed.api.v1.ProverMessage;
import zisk.distributed.api.v1.ProverRegisterResponse;
import zisk.distributed.api.v1.Shutdown;
import zisk.distributed.api.v1.ZiskDistributedApiGrpc;

/**
 * A scripted coordinator on a real socket. Each {@code ProverStream} the worker opens becomes a
 * {@link FakeStream} the test drives: it answers the registration (automatically, unless told to
 * hold or refuse), sends tasks, heartbeats, cancellations and shutdowns, and waits for what the
 * worker sends back.
 */
public final class FakeCoordinator implements AutoCloseable {

  private final Server server;
  private final BlockingQueue<FakeStream> streams = new LinkedBlockingQueue<>();
  private final List<FakeStream> allStreams = new CopyOnWriteArrayList<>();
  private final AtomicInteger refusalsLeft = new AtomicInteger();
  private volatile String refusalMessage = "";
  private volatile boolean holdRegistrations;

  private FakeCoordinator(int port) throws IOException {
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
            .directExecutor()
            .addService(new Service())
            .build()
            .start();
  }

  public static FakeCoordinator start() throws IOException {
    return new FakeCoordinator(0);
  }

  /** A localhost URL where nothing listens (a port that was free a moment ago). */
  public static String deadUrl() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return "http://127.0.0.1:" + socket.getLocalPort();
    }
  }

  public String url() {
    return "http://127.0.0.1:" + server.getPort();
  }

  /** Refuses the next {@code count} registrations with {@code message}. */
  public void refuseNext(int count, String message) {
    refusalMessage = message;
    refusalsLeft.set(count);
  }

  /** Leaves registrations unanswered until the test calls {@link FakeStream#accept()}. */
  public void holdRegistrations(boolean hold) {
    holdRegistrations = hold;
  }

  /** The next stream the worker opens. */
  public FakeStream awaitStream() throws InterruptedException {
    FakeStream stream = streams.poll(Deadlines.WAIT.toMillis(), TimeUnit.MILLISECONDS);
    if (stream == null) {
      throw new AssertionError("the worker opened no stream within " + Deadlines.WAIT);
    }
    return stream;
  }

  public int streamCount() {
    return allStreams.size();
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
  }

  private final class Service extends ZiskDistributedApiGrpc.ZiskDistributedApiImplBase {
    @Override
    public StreamObserver<ProverMessage> proverStream(
        StreamObserver<CoordinatorMessage> responses) {
      FakeStream stream = new FakeStream(responses);
      allStreams.add(stream);
      streams.add(stream);
      return stream.inbound();
    }
  }

  /** One prover stream, seen from the coordinator. */
  public final class FakeStream {
    private final StreamObserver<CoordinatorMessage> out;
    private final BlockingQueue<ProverMessage> received = new LinkedBlockingQueue<>();

    /** Everything the worker sent on this stream, in order. */
    public final List<ProverMessage> all = new CopyOnWriteArrayList<>();

    private final CountDownLatch helloSeen = new CountDownLatch(1);
    private final CountDownLatch proverClosed = new CountDownLatch(1);
    private volatile ProverMessage hello;
    private volatile boolean accepted;
    private volatile String issuedSecret = "";
    private boolean ended;

    FakeStream(StreamObserver<CoordinatorMessage> out) {
      this.out = out;
    }

    StreamObserver<ProverMessage> inbound() {
      return new StreamObserver<>() {
        @Override
        public void onNext(ProverMessage message) {
          all.add(message);
          if (hello == null && (message.hasRegister() || message.hasReconnect())) {
            hello = message;
            answerRegistration();
            helloSeen.countDown();
            return;
          }
          received.add(message);
        }

        @Override
        public void onError(Throwable t) {
          // The worker cancelled the call: nothing more can be sent on it.
          markEnded();
          proverClosed.countDown();
        }

        @Override
        public void onCompleted() {
          proverClosed.countDown();
          // A well-behaved coordinator ends its side when the prover ends its own.
          complete();
        }
      };
    }

    private void answerRegistration() {
      if (refusalsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        refuse(refusalMessage);
      } else if (!holdRegistrations) {
        accept();
      }
    }

    /** The worker's first message (register or reconnect). */
    public ProverMessage hello() throws InterruptedException {
      if (!helloSeen.await(Deadlines.WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("no register/reconnect within " + Deadlines.WAIT);
      }
      return hello;
    }

    /**
     * Accepts as a real coordinator does: a register starts a session with a new secret ({@link
     * #issuedSecret()}); a reconnect resumes its session, whose secret stays the same.
     */
    public void accept() {
      accept(hello != null && hello.hasRegister() ? "secret-" + UUID.randomUUID() : "");
    }

    /** Accepts with {@code secret} as the session secret; empty: none issued. */
    public void accept(String secret) {
      accepted = true;
      issuedSecret = secret;
      send(
          CoordinatorMessage.newBuilder()
              .setRegisterResponse(
                  ProverRegisterResponse.newBuilder()
                      .setProverId(proverId())
                      .setAccepted(true)
                      .setMessage("welcome")
                      .setSessionSecret(secret))
              .build());
    }

    /** The session secret this stream's acceptance issued; empty when none. */
    public String issuedSecret() {
      return issuedSecret;
    }

    public void refuse(String message) {
      send(
          CoordinatorMessage.newBuilder()
              .setRegisterResponse(
                  ProverRegisterResponse.newBuilder()
                      .setProverId(proverId())
                      .setAccepted(false)
                      .setMessage(message))
              .build());
      complete();
    }

    public boolean isAccepted() {
      return accepted;
    }

    /**
     * Sends a task once the worker's register or reconnect has been answered, as a real coordinator
     * does: a task sent before the answer would reach a worker with no session yet.
     */
    public void sendTask(ExecuteTaskRequest task) throws InterruptedException {
      hello();
      ExecuteTaskRequest addressed =
          task.getProverId().isEmpty() ? task.toBuilder().setProverId(proverId()).build() : task;
      send(CoordinatorMessage.newBuilder().setExecuteTask(addressed).build());
    }

    public void sendHeartbeat() {
      send(CoordinatorMessage.newBuilder().setHeartbeat(Heartbeat.getDefaultInstance()).build());
    }

    public void cancelJob(String jobId, String reason) {
      send(
          CoordinatorMessage.newBuilder()
              .setJobCancelled(JobCancelled.newBuilder().setJobId(jobId).setReason(reason))
              .build());
    }

    public void shutdown(String reason, int graceSeconds) {
      send(
          CoordinatorMessage.newBuilder()
              .setShutdown(
                  Shutdown.newBuilder().setReason(reason).setGracePeriodSeconds(graceSeconds))
              .build());
    }

    /**
     * Sends a heartbeat and waits for its ack: everything the worker wrote before is in {@link
     * #all}.
     */
    public void roundTrip() throws InterruptedException {
      sendHeartbeat();
      awaitMessage("heartbeat ack", ProverMessage::hasHeartbeatAck);
    }

    public ExecuteTaskResponse awaitResult() throws InterruptedException {
      return awaitMessage("task result", ProverMessage::hasExecuteTaskResponse)
          .getExecuteTaskResponse();
    }

    /** The next message matching {@code what}, skipping others. */
    public ProverMessage awaitMessage(String description, Predicate<ProverMessage> what)
        throws InterruptedException {
      long end = System.nanoTime() + Deadlines.WAIT.toNanos();
      while (true) {
        ProverMessage message =
            received.poll(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (message == null) {
          throw new AssertionError(
              "no " + description + " within " + Deadlines.WAIT + "; received " + all);
        }
        if (what.test(message)) {
          return message;
        }
      }
    }

    public List<ExecuteTaskResponse> results() {
      return all.stream()
          .filter(ProverMessage::hasExecuteTaskResponse)
          .map(ProverMessage::getExecuteTaskResponse)
          .toList();
    }

    /** Breaks the stream from the coordinator's side. */
    public synchronized void fail() {
      if (!ended) {
        ended = true;
        out.onError(
            Status.UNAVAILABLE.withDescription("coordinator going down").asRuntimeException());
      }
    }

    private synchronized void markEnded() {
      ended = true;
    }

    public synchronized void complete() {
      if (!ended) {
        ended = true;
        out.onCompleted();
      }
    }

    /** Waits until the worker closes or cancels its side of the stream. */
    public void awaitProverClosed(Duration deadline) throws InterruptedException {
      if (!proverClosed.await(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("the worker did not close the stream within " + deadline);
      }
    }

    public synchronized void send(CoordinatorMessage message) {
      if (!ended) {
        try {
          out.onNext(message);
        } catch (StatusRuntimeException e) {
          // The worker cancelled the call a moment ago; its onError is on the way.
          ended = true;
        }
      }
    }

    private String proverId() {
      ProverMessage first = hello;
      if (first == null) {
        return "";
      }
      return first.hasRegister()
          ? first.getRegister().getProverId()
          : first.getReconnect().getProverId();
    }
  }
}
