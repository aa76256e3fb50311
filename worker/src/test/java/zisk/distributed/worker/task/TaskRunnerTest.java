package zisk.distributed.worker.task;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zisk.distributed.api.v1.ExecuteTaskRequest;
import zisk.distributed.api.v1.ExecuteTaskResponse;
import zisk.distributed.api.v1.TaskType;
import zisk.distributed.common.rules.SafeText;
import zisk.distributed.worker.metrics.WorkerMetrics;
import zisk.distributed.worker.prover.reference.ReferenceProverBackend;
import zisk.distributed.worker.testing.ControlledBackend;
import zisk.distributed.worker.testing.ControlledBackend.Call;
import zisk.distributed.worker.testing.Deadlines;
import zisk.distributed.worker.testing.Tasks;

class TaskRunnerTest {

  private final ControlledBackend backend = new ControlledBackend();
  private final BlockingQueue<ExecuteTaskResponse> results = new LinkedBlockingQueue<>();
  private final TaskRunner runner =
      new TaskRunner(
          backend, "p1", InputSource.files(Tasks.INPUTS), results::add, WorkerMetrics.discarding());

  @AfterEach
  void close() {
    runner.close();
  }

  @Test
  void runsEachPhaseAndEchoesTheTask() throws Exception {
    assertEquals(Optional.empty(), runner.submit(Tasks.contribution("j1", "t1", 1)));
    ExecuteTaskResponse contributed = next();
    runner.submit(Tasks.prove("j1", "t2", 2));
    ExecuteTaskResponse proved = next();
    runner.submit(Tasks.aggregate("j1", "t3", 2));
    ExecuteTaskResponse aggregated = next();

    assertEquals(List.of("j1", "t1", "p1", "PARTIAL_CONTRIBUTION"), ids(contributed));
    assertEquals(101L, contributed.getChallenges().getChallenges(0).getChallenge(0));
    assertEquals(List.of("j1", "t2", "p1", "PROVE"), ids(proved));
    assertEquals(2L, proved.getProofs().getProofs(0).getValues(0));
    assertEquals(List.of("j1", "t3", "p1", "AGGREGATE"), ids(aggregated));
    assertEquals(2L, aggregated.getFinalProof().getFinalProofs(0).getValues(0));
    backend.awaitReleased("j1");
    assertEquals(List.of("j1"), backend.released());
    assertEquals(1, Set.copyOf(backend.threads()).size(), "every phase on the one task thread");
  }

  @Test
  void aCancelMeantForAnEarlierAttemptDoesNotStopTheRunningTask() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    backend.blockOn(TaskType.PARTIAL_CONTRIBUTION, gate);
    runner.submit(Tasks.contribution("j1", "attempt-2-task", 1));

    CancelOutcome outcome = runner.cancel("j1", "attempt-1-task", "attempt 1 failed");
    gate.countDown();

    assertEquals(CancelOutcome.STALE, outcome);
    assertEquals(
        "attempt-2-task", next().getTaskId(), "the running task finished and its result was sent");
  }

  @Test
  void backendExceptionBecomesAFailedResultAndReleasesTheJob() throws Exception {
    backend.on(
        TaskType.PROVE,
        jobId -> {
          throw new IllegalStateException("no witness for " + jobId);
        });

    runner.submit(Tasks.prove("j1", "t2", 2));
    ExecuteTaskResponse response = next();

    assertFalse(response.getSuccess());
    assertEquals("no witness for j1", response.getErrorMessage());
    assertEquals("t2", response.getTaskId());
    backend.awaitReleased("j1");
  }

  @Test
  void anInputOutsideTheInputsDirectoriesFailsTheTaskNamingTheRuleNotTheContent(
      @TempDir Path elsewhere) throws Exception {
    Path secret = Files.writeString(elsewhere.resolve("shadow"), "root:$6$SECRET:19000::::::\n");
    ExecuteTaskRequest task = withInput(Tasks.contribution("j1", "t1", 0), secret.toString());

    runner.submit(task);
    ExecuteTaskResponse response = next();

    assertFalse(response.getSuccess());
    assertEquals(
        "input_path is outside the worker's inputs directories", response.getErrorMessage());
    assertTrue(backend.threads().isEmpty(), "the backend never saw the task");
  }

  @Test
  void anInputWhoseFirstLineHoldsANulIsRefusedWithoutQuotingIt() throws Exception {
    Path dir = Tasks.INPUTS.dirs().get(0);
    Files.writeString(dir.resolve("nul.toml"), "SECRET\0line = 1\nlanes = 1\n");
    BlockingQueue<ExecuteTaskResponse> answers = new LinkedBlockingQueue<>();
    try (ReferenceProverBackend reference = new ReferenceProverBackend();
        TaskRunner real =
            new TaskRunner(
                reference,
                "p1",
                InputSource.files(Tasks.INPUTS),
                answers::add,
                WorkerMetrics.discarding())) {
      real.submit(withInput(Tasks.contribution("j1", "t1", 0), "nul.toml"));
      ExecuteTaskResponse response = answers.poll(Deadlines.WAIT.toMillis(), TimeUnit.MILLISECONDS);

      assertFalse(response.getSuccess());
      assertEquals(
          "input_path: line 1: unknown key (expected lanes, steps and seed)",
          response.getErrorMessage());
    }
  }

  @Test
  void aBackendMessageLeavesCleanedAndBounded() throws Exception {
    backend.on(
        TaskType.PROVE,
        jobId -> {
          throw new IllegalStateException("bad\0input " + "x".repeat(1 << 20));
        });

    runner.submit(Tasks.prove("j1", "t2", 2));
    String message = next().getErrorMessage();

    assertTrue(message.startsWith("bad\uFFFDinput xxx"), message.substring(0, 20));
    assertTrue(message.length() <= SafeText.MAX_ERROR_MESSAGE, "length " + message.length());
    assertTrue(message.endsWith("chars)"), message.substring(message.length() - 30));
  }

  @Test
  void aTaskWithoutItsParamsFails() throws Exception {
    runner.submit(
        ExecuteTaskRequest.newBuilder()
            .setJobId("j1")
            .setTaskId("t1")
            .setTaskType(TaskType.PROVE)
            .build());

    ExecuteTaskResponse response = next();

    assertFalse(response.getSuccess());
    assertEquals("PROVE task without prove_params", response.getErrorMessage());
  }

  @Test
  void aSecondTaskWhileOneRunsIsRefusedAtOnce() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    backend.blockOn(TaskType.PARTIAL_CONTRIBUTION, gate);
    runner.submit(Tasks.contribution("j1", "t1", 0));
    backend.awaitStarted();

    Optional<ExecuteTaskResponse> refusal = runner.submit(Tasks.contribution("j2", "t9", 0));
    Optional<ExecuteTaskResponse> repeat = runner.submit(Tasks.contribution("j1", "t1", 0));
    gate.countDown();

    assertTrue(refusal.isPresent());
    assertFalse(refusal.get().getSuccess());
    assertTrue(refusal.get().getBusy(), "a refusal is a busy answer, not a task failure");
    assertEquals("prover busy with task t1 of job j1", refusal.get().getErrorMessage());
    assertEquals("t9", refusal.get().getTaskId());
    assertEquals(Optional.empty(), repeat, "the running task sent again is not refused");
    assertEquals("t1", next().getTaskId());
  }

  @Test
  void aTaskSentAgainAfterItFinishedIsAnsweredWithItsResultNotRunAgain() throws Exception {
    // A coordinator re-sends a task after a reconnect; here it had finished while the stream was
    // down.
    runner.submit(Tasks.contribution("j1", "t1", 0));
    ExecuteTaskResponse first = next();

    Optional<ExecuteTaskResponse> repeat = runner.submit(Tasks.contribution("j1", "t1", 0));

    assertEquals(Optional.of(first), repeat);
    assertEquals(
        List.of(new Call(TaskType.PARTIAL_CONTRIBUTION, "j1")),
        backend.finishedCalls(),
        "the backend ran it once");
    assertEquals(
        Optional.empty(),
        runner.submit(Tasks.prove("j1", "t2", 1)),
        "the prover is free for the next phase");
    assertEquals("t2", next().getTaskId());
  }

  @Test
  void cancelInterruptsTheRunningTaskSendsNothingAndReleases() throws Exception {
    backend.blockOn(TaskType.PROVE, new CountDownLatch(1));
    runner.submit(Tasks.prove("j1", "t2", 2));
    backend.awaitStarted();

    assertEquals(CancelOutcome.INTERRUPTED, runner.cancel("j1", "", "user asked"));

    backend.awaitReleased("j1");
    assertEquals(List.of(new Call(TaskType.PROVE, "j1")), backend.interruptedCalls());
    assertTrue(runner.awaitIdle(Deadlines.WAIT));
    assertEquals(null, results.poll(), "nothing is sent for a cancelled task");
    assertEquals(Optional.empty(), runner.currentJobId());
  }

  @Test
  void aTaskOfAnotherJobMayFollowACancelAtOnce() throws Exception {
    backend.blockOn(TaskType.PROVE, new CountDownLatch(1));
    runner.submit(Tasks.prove("j1", "t2", 2));
    backend.awaitStarted();
    runner.cancel("j1", "", "cancelled");

    assertEquals(Optional.empty(), runner.submit(Tasks.contribution("j2", "t3", 0)));

    assertEquals("t3", next().getTaskId());
  }

  @Test
  void cancelOfAJobBetweenPhasesReleasesItsState() throws Exception {
    runner.submit(Tasks.contribution("j1", "t1", 0));
    next();
    assertEquals(Optional.of("j1"), runner.currentJobId());

    assertEquals(CancelOutcome.RELEASED, runner.cancel("j1", "", "cancelled"));

    backend.awaitReleased("j1");
    await("state dropped").atMost(Deadlines.WAIT).until(() -> runner.currentJobId().isEmpty());
  }

  @Test
  void aTaskOfAnotherJobReleasesTheStateKeptForTheLastJob() throws Exception {
    runner.submit(Tasks.contribution("j1", "t1", 0));
    next();
    runner.submit(Tasks.prove("j1", "t2", 1));
    next();
    assertEquals(List.of(), backend.released(), "state kept between phases");

    runner.submit(Tasks.contribution("j2", "t3", 0));
    next();

    assertEquals(List.of("j1"), backend.released());
    assertEquals(Optional.of("j2"), runner.currentJobId());
  }

  @Test
  void abandonInterruptsAndSendsNothing() throws Exception {
    backend.blockOn(TaskType.AGGREGATE, new CountDownLatch(1));
    runner.submit(Tasks.aggregate("j1", "t3", 2));
    backend.awaitStarted();
    runner.stopAccepting();

    runner.abandon();

    assertTrue(runner.awaitIdle(Deadlines.WAIT));
    assertEquals(List.of(new Call(TaskType.AGGREGATE, "j1")), backend.interruptedCalls());
    assertEquals(null, results.poll());
    Optional<ExecuteTaskResponse> refusal = runner.submit(Tasks.contribution("j2", "t4", 0));
    assertTrue(refusal.isPresent() && refusal.get().getErrorMessage().contains("shutting down"));
  }

  @Test
  void awaitIdleWaitsForTheRunningTask() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    backend.blockOn(TaskType.PARTIAL_CONTRIBUTION, gate);
    runner.submit(Tasks.contribution("j1", "t1", 0));
    backend.awaitStarted();

    assertFalse(runner.awaitIdle(Duration.ofMillis(20)));
    gate.countDown();

    assertTrue(runner.awaitIdle(Deadlines.WAIT));
    assertEquals("t1", next().getTaskId());
  }

  private static ExecuteTaskRequest withInput(ExecuteTaskRequest task, String inputPath) {
    return task.toBuilder()
        .setContributionParams(task.getContributionParams().toBuilder().setInputPath(inputPath))
        .build();
  }

  private ExecuteTaskResponse next() throws InterruptedException {
    ExecuteTaskResponse response = results.poll(Deadlines.WAIT.toMillis(), TimeUnit.MILLISECONDS);
    if (response == null) {
      throw new AssertionError("no result within " + Deadlines.WAIT);
    }
    return response;
  }

  private static List<String> ids(ExecuteTaskResponse response) {
    assertTrue(response.getSuccess(), response.getErrorMessage());
    return List.of(
        response.getJobId(),
        response.getTaskId(),
        response.getProverId(),
        response.getTaskType().name());
  }
}
