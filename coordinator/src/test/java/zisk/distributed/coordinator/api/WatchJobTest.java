package zisk.distributed.coordinator.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static zisk.distributed.coordinator.testing.RecordingWatch.WAIT;

import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import zisk.distributed.api.v1.ExecuteTaskRequest;
import zisk.distributed.api.v1.JobEvent;
import zisk.distributed.api.v1.JobStatusRequest;
import zisk.distributed.api.v1.LaunchProofRequest;
import zisk.distributed.api.v1.ProverMessage;
import zisk.distributed.api.v1.TaskProgress;
import zisk.distributed.api.v1.TaskType;
import zisk.distributed.api.v1.WatchJobResponse;
import zisk.distributed.common.rules.SafeText;
import zisk.distributed.coordinator.config.CoordinatorConfig;
import zisk.distributed.coordinator.config.ProofVerification;
import zisk.distributed.coordinator.testing.RawProver;
import zisk.distributed.coordinator.testing.RecordingWatch;
import zisk.distributed.coordinator.testing.RunningCoordinator;
import zisk.distributed.coordinator.testing.TestDatabase;

/** WatchJob over two coordinators sharing one database, as clients and provers see it. */
class WatchJobTest {

  private RunningCoordinator a;
  private RunningCoordinator b;
  private RawProver prover;

  @BeforeEach
  void twoCoordinatorsAndAProverOnTheFirst() {
    CoordinatorConfig config =
        CoordinatorConfig.local(TestDatabase.freshJdbcUrl())
            .withProofVerification(
                ProofVerification.DEFAULT.withVerifier(ProofVerification.Verifier.NONE));
    a = RunningCoordinator.onTcp(config);
    CoordinatorConfig.Limits limits = config.limits();
    b = RunningCoordinator.onTcp(config.withLimits(limits.withMaxWatchers(2)));
    prover = RawProver.open(a.channel(), true);
    assertTrue(prover.register("gpu-1", 2).getAccepted());
  }

  @AfterEach
  void stop() {
    prover.close();
    b.close();
    a.close();
  }

  @Test
  void aWatcherSeesTheStatusThenEveryEventThroughCompletionAndTheStreamEndsByItself() {
    String jobId = launch();
    RecordingWatch watch = RecordingWatch.open(a.channel(), jobId, 0);

    runEveryPhase(jobId);

    assertEquals(Status.Code.OK, watch.awaitEnd().getCode());
    WatchJobResponse first = watch.received().get(0);
    assertTrue(first.hasStatus(), "the status comes first");
    assertEquals(jobId, first.getStatus().getJobId());
    assertEquals(storedEvents(jobId), ids(watch.events()));
    List<String> kinds = watch.events().stream().map(JobEvent::getKind).toList();
    assertEquals("LAUNCHED", kinds.get(0));
    assertEquals("COMPLETED", kinds.get(kinds.size() - 1));
    assertEquals(3, kinds.stream().filter("TASK_DISPATCHED"::equals).count(), kinds.toString());
    JobEvent dispatched =
        watch.events().stream()
            .filter(e -> e.getKind().equals("TASK_DISPATCHED"))
            .findFirst()
            .get();
    assertEquals("gpu-1", dispatched.getProverId());
    assertEquals("PARTIAL_CONTRIBUTION", dispatched.getPhase());
    assertEquals(1, dispatched.getAttempt());
    assertTrue(!dispatched.getTaskId().isEmpty());
  }

  @Test
  void aClientThatResumesOnAnotherCoordinatorGetsEveryEventExactlyOnce() {
    String jobId = launch();
    RecordingWatch onA = RecordingWatch.open(a.channel(), jobId, 0);
    ExecuteTaskRequest contribution = prover.awaitTask();
    await("a few events on the first coordinator")
        .atMost(WAIT)
        .until(() -> onA.events().size() >= 3);
    onA.cancel(); // the client's link to the first coordinator breaks
    List<JobEvent> before = onA.events();
    prover.sendResult(RawProver.success(contribution, "gpu-1"));
    finishAfterContribution(jobId);

    long resumeAfter = before.get(before.size() - 1).getEventId();
    RecordingWatch onB = RecordingWatch.open(b.channel(), jobId, resumeAfter); // job still running

    assertEquals(Status.Code.OK, onB.awaitEnd().getCode());
    List<Long> stored = storedEvents(jobId);
    long statusLastEvent = onB.received().get(0).getStatus().getLastEventId();
    assertTrue(
        statusLastEvent >= resumeAfter && stored.contains(statusLastEvent),
        "the status names a stored event, at least the one resumed from: " + statusLastEvent);
    List<Long> seen = new ArrayList<>(ids(before));
    seen.addAll(ids(onB.events()));
    assertEquals(stored, seen);
  }

  @Test
  void progressFromAProverReachesAWatcherOnAnotherCoordinatorAndInvalidProgressIsIgnored() {
    String jobId = launch();
    RecordingWatch onB = RecordingWatch.open(b.channel(), jobId, 0);
    ExecuteTaskRequest task = prover.awaitTask();
    await("the watch to start").atMost(WAIT).until(() -> !onB.received().isEmpty());

    progress(jobId, task.getTaskId(), 2.0, "too far");
    progress(jobId, task.getTaskId(), Double.NaN, "not a number");
    progress(jobId, UUID.randomUUID().toString(), 0.1, "someone else's task");
    progress(UUID.randomUUID().toString(), task.getTaskId(), 0.1, "another job");
    progress(jobId, task.getTaskId(), 0.5, "witness 3/8\u0000");

    await("the progress on the other coordinator")
        .atMost(WAIT)
        .until(() -> !onB.progress().isEmpty());
    TaskProgress relayed = onB.progress().get(0);
    assertEquals(jobId, relayed.getJobId());
    assertEquals(task.getTaskId(), relayed.getTaskId());
    assertEquals(0.5, relayed.getFraction());
    assertEquals(SafeText.clean("witness 3/8\u0000", 200), relayed.getText());
    assertTrue(
        relayed.getText().startsWith("witness 3/8") && !relayed.getText().contains("\u0000"));
    assertEquals("gpu-1", relayed.getProverId());
    assertEquals(TaskType.PARTIAL_CONTRIBUTION, relayed.getTaskType());
    assertEquals(0, relayed.getRank());
    onB.cancel();
  }

  @Test
  void anUnknownJobOrABadIdIsASingleErrorMessage() {
    RecordingWatch unknown = RecordingWatch.open(a.channel(), UUID.randomUUID().toString(), 0);
    RecordingWatch bad = RecordingWatch.open(a.channel(), "not-a-job", 0);

    assertEquals(Status.Code.OK, unknown.awaitEnd().getCode());
    assertEquals(Status.Code.OK, bad.awaitEnd().getCode());
    assertEquals(1, unknown.received().size());
    assertEquals("JOB_NOT_FOUND", unknown.received().get(0).getError().getCode());
    assertEquals(1, bad.received().size());
    assertEquals("INVALID_ARGUMENT", bad.received().get(0).getError().getCode());
  }

  @Test
  void watchersBeyondTheCapAreRefusedAndACancelledOneFreesItsSlot() {
    String jobId = launch();
    RecordingWatch first = RecordingWatch.open(b.channel(), jobId, 0);
    RecordingWatch second = RecordingWatch.open(b.channel(), jobId, 0);
    await("both to start")
        .atMost(WAIT)
        .until(() -> !first.received().isEmpty() && !second.received().isEmpty());

    RecordingWatch third = RecordingWatch.open(b.channel(), jobId, 0);

    assertEquals(Status.Code.RESOURCE_EXHAUSTED, third.awaitEnd().getCode());
    assertTrue(!first.hasEnded() && !second.hasEnded());
    first.cancel();
    await("a cancelled watcher's slot to be free again")
        .atMost(WAIT)
        .until(
            () -> {
              RecordingWatch again = RecordingWatch.open(b.channel(), jobId, 0);
              await().atMost(WAIT).until(() -> !again.received().isEmpty() || again.hasEnded());
              boolean started = !again.hasEnded();
              again.cancel();
              return started;
            });
    second.cancel();
  }

  @Test
  void aSlowClientMissesNoEventWhenItReadsAgainLater() {
    String jobId = launch();
    RecordingWatch slow = RecordingWatch.open(a.channel(), jobId, 0, true);
    await("the status").atMost(WAIT).until(() -> slow.received().size() == 1);

    runEveryPhase(jobId);
    await("the job to complete").atMost(WAIT).until(() -> job(jobId).equals("COMPLETED"));
    while (!slow.hasEnded()) {
      int before = slow.received().size();
      slow.request(1);
      await("one more message")
          .atMost(WAIT)
          .until(() -> slow.received().size() > before || slow.hasEnded());
    }

    assertEquals(Status.Code.OK, slow.awaitEnd().getCode());
    assertEquals(storedEvents(jobId), ids(slow.events()));
  }

  @Test
  void progressOfAProveTaskNamesItsRankThoughTheTaskDoesNot() {
    try (RawProver second = RawProver.open(a.channel(), true)) {
      assertTrue(second.register("gpu-2", 2).getAccepted());
      String jobId =
          a.stub()
              .launchProof(
                  LaunchProofRequest.newBuilder()
                      .setBlockId("block")
                      .setComputeCapacity(4)
                      .setInputPath("/in")
                      .build())
              .getJobId();
      RecordingWatch watch = RecordingWatch.open(b.channel(), jobId, 0);
      ExecuteTaskRequest contributionOn1 = prover.awaitTask();
      ExecuteTaskRequest contributionOn2 = second.awaitTask();
      // Rank 1: rank 0 is what every PROVE task's progress used to name.
      assertEquals(1, contributionOn2.getContributionParams().getRankId());
      prover.sendResult(RawProver.success(contributionOn1, "gpu-1"));
      second.sendResult(RawProver.success(contributionOn2, "gpu-2"));
      ExecuteTaskRequest prove = second.awaitTask();
      assertEquals(TaskType.PROVE, prove.getTaskType());
      await("the watch to start").atMost(WAIT).until(() -> !watch.received().isEmpty());

      second.send(
          ProverMessage.newBuilder()
              .setProgress(
                  TaskProgress.newBuilder()
                      .setJobId(jobId)
                      .setTaskId(prove.getTaskId())
                      .setFraction(0.25))
              .build());

      await("the progress").atMost(WAIT).until(() -> !watch.progress().isEmpty());
      TaskProgress relayed = watch.progress().get(0);
      assertEquals(TaskType.PROVE, relayed.getTaskType());
      assertEquals("gpu-2", relayed.getProverId());
      assertEquals(1, relayed.getRank());
      watch.cancel();
    }
  }

  private String launch() {
    return a.stub()
        .launchProof(
            LaunchProofRequest.newBuilder()
                .setBlockId("block")
                .setComputeCapacity(2)
                .setInputPath("/in")
                .build())
        .getJobId();
  }

  private void runEveryPhase(String jobId) {
    ExecuteTaskRequest contribution = prover.awaitTask();
    assertEquals(jobId, contribution.getJobId());
    prover.sendResult(RawProver.success(contribution, "gpu-1"));
    finishAfterContribution(jobId);
  }

  private void finishAfterContribution(String jobId) {
    for (TaskType phase : List.of(TaskType.PROVE, TaskType.AGGREGATE)) {
      ExecuteTaskRequest task = prover.awaitTask();
      assertEquals(phase, task.getTaskType());
      assertEquals(jobId, task.getJobId());
      prover.sendResult(RawProver.success(task, "gpu-1"));
    }
  }

  private void progress(String jobId, String taskId, double fraction, String text) {
    prover.send(
        ProverMessage.newBuilder()
            .setProgress(
                TaskProgress.newBuilder()
                    .setJobId(jobId)
                    .setTaskId(taskId)
                    .setFraction(fraction)
                    .setText(text))
            .build());
  }

  private String job(String jobId) {
    return a.stub()
        .jobStatus(JobStatusRequest.newBuilder().setJobId(jobId).build())
        .getJob()
        .getState();
  }

  private List<Long> storedEvents(String jobId) {
    return a.jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT event_id FROM job_events WHERE job_id = CAST(:job AS uuid) ORDER BY event_id")
                    .bind("job", jobId)
                    .mapTo(Long.class)
                    .list());
  }

  private static List<Long> ids(List<JobEvent> events) {
    return events.stream().map(JobEvent::getEventId).toList();
  }
}
