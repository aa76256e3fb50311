package zisk.distributed.worker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import zisk.distributed.api.v1.ExecuteTaskResponse;
import zisk.distributed.api.v1.ProverMessage;
import zisk.distributed.api.v1.TaskType;
import zisk.distributed.worker.config.WorkerConfig;
import zisk.distributed.worker.connection.Channels;
import zisk.distributed.worker.connection.CoordinatorEndpoint;
import zisk.distributed.worker.testing.ControlledBackend;
import zisk.distributed.worker.testing.ControlledBackend.Call;
import zisk.distributed.worker.testing.Deadlines;
import zisk.distributed.worker.testing.FakeCoordinator;
import zisk.distributed.worker.testing.FakeCoordinator.FakeStream;
import zisk.distributed.worker.testing.Tasks;

/** The worker against a scripted coordinator on a real socket. */
class WorkerTest {

  private static final String PROVER = "gpu-node-1";
  private static final Duration LONG_HEARTBEAT_TIMEOUT = Duration.ofSeconds(20);

  private final ControlledBackend backend = new ControlledBackend();
  private final List<FakeCoordinator> coordinators = new ArrayList<>();
  private final List<CountDownLatch> gates = new ArrayList<>();
  private Worker worker;
  private FakeCoordinator coordinator;
  private final List<Runnable> cleanups = new ArrayList<>();

  @BeforeEach
  void startCoordinator() throws Exception {
    coordinator = coordinator();
  }

  @AfterEach
  void tearDown() throws Exception {
    gates.forEach(CountDownLatch::countDown);
    if (worker != null) {
      worker.stop(Duration.ZERO);
    }
    for (FakeCoordinator each : coordinators) {
      each.close();
    }
    cleanups.forEach(Runnable::run);
  }

  @Test
  void registersWithItsIdAndCapacityAndAnswersHeartbeatsWhileATaskRuns() throws Exception {
    CountDownLatch gate = gate();
    backend.blockOn(TaskType.PARTIAL_CONTRIBUTION, gate);
    start(config(LONG_HEARTBEAT_TIMEOUT, coordinator.url()));
    FakeStream stream = coordinator.awaitStream();

    ProverMessage hello = stream.hello();
    assertTrue(hello.hasRegister(), hello.toString());
    assertEquals(PROVER, hello.getRegister().getProverId());
    assertEquals(3, hello.getRegister().getComputeCapacity().getComputeUnits());

    stream.sendTask(Tasks.contribution("job-1", "task-1", 0));
    backend.awaitStarted();
    for (int i = 0; i < 3; i++) {
      stream.sendHeartbeat();
      ProverMessage ack = stream.awaitMessage("heartbeat ack", ProverMessage::hasHeartbeatAck);
      assertEquals(PROVER, ack.getHeartbeatAck().getProverId());
    }
    assertTrue(stream.results().isEmpty(), "the task is still running");
    gate.countDown();

    assertTrue(stream.awaitResult().getSuccess());
  }

  @Test
  void runsTheThreePhasesAndEchoesEachTask() throws Exception {
    start(config(LONG_HEARTBEAT_TIMEOUT, coordinator.url()));
    FakeStream stream = coordinator.awaitStream();
    stream.hello();

    stream.sendTask(Tasks.contribution("job-1", "task-c", 1));
    ExecuteTaskResponse contributed = stream.awaitResult();
    stream.sendTask(Tasks.prove("job-1", "task-p", 2));
    ExecuteTaskResponse proved = stream.awaitResult();
    stream.sendTask(Tasks.aggregate("job-1", "task-a", 2));
    ExecuteTaskResponse aggregated = stream.awaitResult();

    assertEcho(contributed, "job-1", "task-c", TaskType.PARTIAL_CONTRIBUTION);
    assertTrue(contributed.hasChallenges());
    assertEcho(proved, "job-1", "task-p", TaskType.PROVE);
    assertTrue(proved.hasProofs());
    assertEcho(aggregated, "job-1", "task-a", TaskType.AGGREGATE);
    assertEquals(2L, aggregated.getFinalProof().getFinalProofs(0).getValues(0));
    backend.awaitReleased("job-1");
  }

  @Test
  void backendFailureIsReportedWithItsMessage() throws Exception {
    backend.on(
        TaskType.PARTIAL_CONTRIBUTION,
        jobId -> {
          throw new IllegalArgumentException("input /tmp/input is not a ZisK input");
        });
    start(config(LONG_HEARTBEAT_TIMEOUT, coordinator.url()));
    FakeStream stream = coordinator.awaitStream();

    stream.sendTask(Tasks.contribution("job-1", "task-1", 0));
    ExecuteTaskResponse response = stream.awaitResult();

    assertFalse(response.getSuccess());
    assertEquals("input /tmp/input is not a ZisK input", response.getErrorMessage());
    assertEquals("task-1", response.getTaskId());
    assertEquals(PROVER, response.getProverId());
    backend.awaitReleased("job-1");
  }

  @Test
  void aTaskWhileAnotherRunsIsRefusedAtOnce() throws Exception {
    CountDownLatch gate = gate();
    backend.blockOn(TaskType.PROVE, gate);
    start(config(LONG_HEARTBEAT_TIMEOUT, coordinator.url()));
    FakeStream stream = coordinator.awaitStream();
    stream.sendTask(Tasks.prove("job-1", "task-1", 2));
    backend.awaitStarted();

    stream.sendTask(Tasks.contribution("job-2", "task-2", 0));
    ExecuteTaskResponse refusal = stream.awaitResult();

    assertFalse(refusal.getSuccess());
    assertTrue(refusal.getBusy(), "a refusal is a busy answer, not a task failure");
    assertEquals("task-2", refusal.getTaskId());
    assertEquals("prover busy with task task-1 of job job-1", refusal.getErrorMessage());
    gate.countDown();
    assertEquals("task-1", stream.awaitResult().getTaskId());
  }

  @Test
  void jobCancelledInterruptsTheTaskSendsNothingAndReleasesItsState() throws Exception {
    backend.blockOn(TaskType.PROVE, gate());
    start(config(LONG_HEARTBEAT_TIMEOUT, coordinator.url()));
    FakeStream stream = coordinator.awaitStream();
    stream.sendTask(Tasks.prove("job-1", "task-1", 2));
    backend.awaitStarted();

    stream.cancelJob("job-1", "cancelled by operator");

    backend.awaitReleased("job-1");
    assertEquals(List.of(new Call(TaskType.PROVE, "job-1")), backend.interruptedCalls());
    // Anything the worker wrote before this ack has arrived: no result was sent.
    stream.roundTrip();
    assertTrue(stream.results().isEmpty(), stream.results().toString());
    // And the prover is free for the next job at once.
    stream.sendTask(Tasks.contribution("job-2", "task-2", 0));
    assertEquals("task-2", stream.awaitResult().getTaskId());
  }

  @Test
  void reconnectsAfterTheStreamBreaksAndDeliversTheResultFinishedMeanwhile() throws Exception {
    CountDownLatch gate = gate();
    backend.blockOn(TaskType.PROVE, gate);
    start(config(LONG_HEARTBEAT_TIMEOUT, coordinator.url()));
    FakeStream first = coordinator.awaitStream();
    first.sendTask(Tasks.prove("job-1", "task-1", 2));
    backend.awaitStarted();
    coordinator.holdRegistrations(true);

    first.fail();
    FakeStream second = coordinator.awaitStream();
    ProverMessage hello = second.hello();
    gate.countDown();
    await("the task finished while disconnected")
        .atMost(Deadlines.WAIT)
        .until(backend::finishedCalls, calls -> calls.contains(new Call(TaskType.PROVE, "job-1")));
    second.roundTrip();
    assertTrue(second.results().isEmpty(), "nothing is sent before the reconnect is accepted");
    second.accept();
    ExecuteTaskResponse result = second.awaitResult();

    assertTrue(hello.hasReconnect(), hello.toString());
    assertEquals(PROVER, hello.getReconnect().getProverId());
    assertEquals("job-1", hello.getReconnect().getLastKnownJobId());
    assertEquals(3, hello.getReconnect().getComputeCapacity().getComputeUnits());
    assertEcho(result, "job-1", "task-1", TaskType.PROVE);
    assertTrue(first.results().isEmpty());
    assertTrue(backend.released().isEmpty(), "the job's state is kept for the next phase");
  }

  @Test
  void presentsItsSessionSecretOnEveryReconnectAndNeverLogsIt() throws Exception {
    ListAppender<ILoggingEvent> logs = captureLogs();
    backend.blockOn(TaskType.PROVE, gate());
    start(config(LONG_HEARTBEAT_TIMEOUT, coordinator.url()));
    FakeStream registered = coordinator.awaitStream();
    assertTrue(registered.hello().hasRegister());
    String secret = registered.issuedSecret();
    registered.sendTask(Tasks.prove("job-1", "task-1", 2));
    backend.awaitStarted();

    registered.fail();
    FakeStream resumed = coordinator.awaitStream();
    resumed.roundTrip();
    // This coordinator starts a new session next (say, the old secret did not match).
    coordinator.holdRegistrations(true);
    resumed.fail();
    FakeStream renewed = coordinator.awaitStream();
    renewed.accept("renewed-secret");
    renewed.roundTrip();
    renewed.fail();
    FakeStream last = coordinator.awaitStream();

    assertEquals(secret, resumed.hello().getReconnect().getSessionSecret());
    assertEquals("", resumed.issuedSecret(), "a resumed session keeps its secret");
    assertEquals(secret, renewed.hello().getReconnect().getSessionSecret());
    assertEquals("renewed-secret", last.hello().getReconnect().getSessionSecret());
    for (ILoggingEvent event : logs.list) {
      String line = event.getFormattedMessage();
      assertFalse(line.contains(secret) || line.contains("renewed-secret"), line);
    }
  }

  @Test
  void keepsWorkingOnTheJobAfterAReconnect() throws Exception {
    start(config(LONG_HEARTBEAT_TIMEOUT, coordinator.url()));
    FakeStream first = coordinator.awaitStream();
    first.sendTask(Tasks.contribution("job-1", "task-c", 0));
    first.awaitResult();

    first.complete();
    FakeStream second = coordinator.awaitStream();
    assertEquals("job-1", second.hello().getReconnect().getLastKnownJobId());
    // The stream broke right after the result went out, so it may not have arrived: sent again.
    assertEcho(second.awaitResult(), "job-1", "task-c", TaskType.PARTIAL_CONTRIBUTION);
    second.sendTask(Tasks.prove("job-1", "task-p", 2));

    assertEcho(second.awaitResult(), "job-1", "task-p", TaskType.PROVE);
    assertTrue(backend.released().isEmpty());
  }

  @Test
  void failsOverToTheNextUrlWhenTheFirstIsDown() throws Exception {
    start(config(LONG_HEARTBEAT_TIMEOUT, FakeCoordinator.deadUrl(), coordinator.url()));

    FakeStream stream = coordinator.awaitStream();

    assertEquals(PROVER, stream.hello().getRegister().getProverId());
    stream.sendTask(Tasks.contribution("job-1", "task-1", 0));
    assertTrue(stream.awaitResult().getSuccess());
  }

  @Test
  void failsOverToTheNextCoordinatorWhenTheCurrentOneGoesAway() throws Exception {
    FakeCoordinator second = coordinator();
    start(config(LONG_HEARTBEAT_TIMEOUT, coordinator.url(), second.url()));
    FakeStream stream = coordinator.awaitStream();
    stream.hello();

    coordinator.close();
    FakeStream onSecond = second.awaitStream();

    assertTrue(onSecond.hello().hasRegister());
    onSecond.sendTask(Tasks.contribution("job-1", "task-1", 0));
    assertTrue(onSecond.awaitResult().getSuccess());
  }

  @Test
  void retriesAfterBackOffWhenRegistrationIsRefused() throws Exception {
    coordinator.refuseNext(2, "prover id already connected");
    start(config(LONG_HEARTBEAT_TIMEOUT, coordinator.url()));

    FakeStream refused = coordinator.awaitStream();
    refused.hello();
    coordinator.awaitStream().hello();
    FakeStream accepted = coordinator.awaitStream();
    accepted.hello();

    assertTrue(accepted.isAccepted());
    accepted.sendTask(Tasks.contribution("job-1", "task-1", 0));
    assertTrue(accepted.awaitResult().getSuccess());
    assertEquals(3, coordinator.streamCount());
  }

  @Test
  void reconnectsWhenTheCoordinatorFallsSilent() throws Exception {
    start(config(Duration.ofMillis(300), coordinator.url()));
    FakeStream silent = coordinator.awaitStream();
    silent.hello();

    FakeStream next = coordinator.awaitStream();

    silent.awaitProverClosed(Deadlines.WAIT);
    assertTrue(next.hello().hasRegister());
  }

  @Test
  void movesOnWhenTheRegistrationIsNeverAnsweredDespiteHeartbeats() throws Exception {
    FakeCoordinator second = coordinator();
    coordinator.holdRegistrations(true);
    start(config(Duration.ofMillis(300), coordinator.url(), second.url()));
    FakeStream unanswered = coordinator.awaitStream();
    unanswered.hello();

    // Heartbeats keep the unanswered stream alive: only the registration timeout may move the
    // worker on.
    await("the worker to try the second coordinator")
        .atMost(Deadlines.WAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              unanswered.sendHeartbeat();
              return second.streamCount() > 0;
            });

    assertTrue(second.awaitStream().hello().hasRegister());
    unanswered.awaitProverClosed(Deadlines.WAIT);
  }

  @Test
  void shutdownLetsTheRunningTaskFinishSendsItsResultAndEndsTheWorker() throws Exception {
    CountDownLatch gate = gate();
    backend.blockOn(TaskType.AGGREGATE, gate);
    start(config(LONG_HEARTBEAT_TIMEOUT, coordinator.url()));
    FakeStream stream = coordinator.awaitStream();
    stream.sendTask(Tasks.aggregate("job-1", "task-a", 2));
    backend.awaitStarted();

    stream.shutdown("coordinator upgrade", 30);
    stream.sendTask(Tasks.contribution("job-2", "task-late", 0));
    ExecuteTaskResponse refusal = stream.awaitResult();
    gate.countDown();
    ExecuteTaskResponse result = stream.awaitResult();

    assertEquals("task-late", refusal.getTaskId());
    assertFalse(refusal.getSuccess());
    assertEcho(result, "job-1", "task-a", TaskType.AGGREGATE);
    assertTrue(worker.awaitTermination(Deadlines.WAIT), "worker ends after shutdown");
    stream.awaitProverClosed(Deadlines.WAIT);
    assertEquals(1, coordinator.streamCount(), "no reconnect after shutdown");
  }

  @Test
  void shutdownAbandonsATaskThatOutlivesTheGracePeriod() throws Exception {
    backend.blockOn(TaskType.PROVE, gate());
    start(config(LONG_HEARTBEAT_TIMEOUT, coordinator.url()));
    FakeStream stream = coordinator.awaitStream();
    stream.sendTask(Tasks.prove("job-1", "task-p", 2));
    backend.awaitStarted();

    stream.shutdown("going away now", 0);

    assertTrue(worker.awaitTermination(Deadlines.WAIT), "worker ends after shutdown");
    assertEquals(List.of(new Call(TaskType.PROVE, "job-1")), backend.interruptedCalls());
    stream.awaitProverClosed(Deadlines.WAIT);
    assertTrue(stream.results().isEmpty());
    backend.awaitReleased("job-1");
  }

  @Test
  void stopClosesTheStreamAndEndsTheWorker() throws Exception {
    start(config(LONG_HEARTBEAT_TIMEOUT, coordinator.url()));
    FakeStream stream = coordinator.awaitStream();
    stream.hello();

    worker.stop(Duration.ofSeconds(1));

    assertTrue(worker.isTerminated());
    stream.awaitProverClosed(Deadlines.WAIT);
  }

  @Test
  void stopWhileDisconnectedEndsTheWorker() throws Exception {
    start(config(LONG_HEARTBEAT_TIMEOUT, FakeCoordinator.deadUrl()));

    worker.stop(Duration.ofSeconds(1));

    assertTrue(worker.isTerminated());
  }

  /** Every log line of ours at every level (gRPC's and Netty's own tracing stays off: slow). */
  private ListAppender<ILoggingEvent> captureLogs() {
    Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    Logger ours = (Logger) LoggerFactory.getLogger("zisk");
    Level before = ours.getLevel();
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    root.addAppender(appender);
    ours.setLevel(Level.ALL);
    cleanups.add(
        () -> {
          root.detachAppender(appender);
          ours.setLevel(before);
        });
    return appender;
  }

  private void start(WorkerConfig config) {
    worker = new Worker(config, backend, new Random(1), Channels::open);
    worker.start();
  }

  private static WorkerConfig config(Duration heartbeatTimeout, String... urls) {
    return new WorkerConfig(
            List.of(urls).stream().map(CoordinatorEndpoint::parse).toList(),
            PROVER,
            3,
            "fake",
            Duration.ofMillis(40),
            Duration.ofMillis(160),
            heartbeatTimeout,
            WorkerConfig.Logging.defaults())
        .withInputs(Tasks.INPUTS);
  }

  private FakeCoordinator coordinator() throws Exception {
    FakeCoordinator started = FakeCoordinator.start();
    coordinators.add(started);
    return started;
  }

  private CountDownLatch gate() {
    CountDownLatch gate = new CountDownLatch(1);
    gates.add(gate);
    return gate;
  }

  private static void assertEcho(
      ExecuteTaskResponse response, String jobId, String taskId, TaskType type) {
    assertTrue(response.getSuccess(), response.getErrorMessage());
    assertEquals(jobId, response.getJobId());
    assertEquals(taskId, response.getTaskId());
    assertEquals(type, response.getTaskType());
    assertEquals(PROVER, response.getProverId());
  }
}
