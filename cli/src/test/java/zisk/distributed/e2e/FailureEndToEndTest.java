package zisk.distributed.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import zisk.distributed.api.v1.ExecuteTaskRequest;
import zisk.distributed.api.v1.JobStatus;
import zisk.distributed.api.v1.TaskType;
import zisk.distributed.coordinator.testing.RawProver;
import zisk.distributed.coordinator.testing.TcpProxy;
import zisk.distributed.reference.VerificationResult;
import zisk.distributed.worker.testing.ControlledBackend;

/**
 * Failures driven for real: a prover reporting an error, a stream cut for good, a prover that stops
 * answering heartbeats, and a stream cut briefly. An error re-queues the job (and it completes
 * elsewhere); a lost prover costs only its rank, recomputed on another worker; a short outage
 * changes nothing.
 */
class FailureEndToEndTest {

  private Cluster cluster;

  @AfterEach
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void jobWhoseWorkerReportsFailureIsRequeuedAndCompletesOnAnotherWorker() {
    // given: the only worker at launch fails its task, once two healthier workers have joined
    cluster = Cluster.start();
    ControlledBackend faulty =
        ControlledBackend.overReference()
            .failIn(TaskType.PARTIAL_CONTRIBUTION, "simulated GPU fault");
    CountDownLatch failNow = faulty.blockIn(TaskType.PARTIAL_CONTRIBUTION);
    cluster.worker("faulty", 1, faulty);
    cluster.awaitProvers("IDLE", "faulty");
    Path input = cluster.referenceInput();
    String jobId = cluster.launch(input, 1);
    faulty.awaitStarted(TaskType.PARTIAL_CONTRIBUTION, Cluster.WAIT);
    cluster.worker("healthy-a", 2, ControlledBackend.overReference());
    cluster.worker("healthy-b", 2, ControlledBackend.overReference());
    cluster.awaitProvers("IDLE", "healthy-a", "healthy-b");

    // when
    failNow.countDown();

    // then
    JobStatus done = cluster.awaitState(jobId, "COMPLETED");
    assertEquals(2, done.getAttempt());
    assertEquals(1, done.getAssignedProversCount());
    assertFalse(
        done.getAssignedProversList().contains("faulty"), done.getAssignedProversList().toString());
    VerificationResult verdict = cluster.verifyProof(jobId, input);
    assertTrue(verdict.valid(), verdict.summary());
    List<String> events = cluster.events(jobId);
    assertTrue(events.contains("TASK_FAILED PARTIAL_CONTRIBUTION"), events.toString());
    assertEquals(
        1, events.stream().filter(event -> event.equals("REQUEUED")).count(), events.toString());
    assertEquals(
        1,
        cluster.count(
            """
        SELECT count(*) FROM job_events WHERE job_id = :jobId::uuid AND event = 'REQUEUED' AND attempt = 1
          AND prover_id = 'faulty' AND detail LIKE 'PROVER_ERROR:%simulated GPU fault%'
        """,
            jobId));
    assertEquals("task_failures=1 infra_failures=0", cluster.failureCounts(jobId));
    assertEquals("IDLE", cluster.provers().get("faulty").getState());
  }

  @Test
  void jobWhoseWorkersAllFailEndsFailedAfterMaxAttemptsWithTheReason() {
    // given
    cluster = Cluster.start();
    cluster.worker(
        "broken-a",
        2,
        ControlledBackend.overReference()
            .failIn(TaskType.PARTIAL_CONTRIBUTION, "simulated GPU fault"));
    cluster.worker(
        "broken-b",
        2,
        ControlledBackend.overReference()
            .failIn(TaskType.PARTIAL_CONTRIBUTION, "simulated GPU fault"));
    cluster.awaitProvers("IDLE", "broken-a", "broken-b");

    // when
    String jobId = cluster.launch(cluster.referenceInput(), 4);

    // then
    JobStatus failed = cluster.awaitState(jobId, "FAILED");
    assertEquals(3, failed.getMaxAttempts());
    assertEquals(3, failed.getAttempt());
    assertEquals("PROVER_ERROR", failed.getError().getCode());
    assertTrue(
        failed.getError().getMessage().contains("simulated GPU fault"),
        failed.getError().getMessage());
    assertTrue(failed.hasFinishedAt());
    assertEquals("task_failures=3 infra_failures=0", cluster.failureCounts(jobId));
    List<String> outcomes =
        cluster.events(jobId).stream()
            .filter(event -> event.equals("REQUEUED") || event.equals("FAILED"))
            .toList();
    assertEquals(List.of("REQUEUED", "REQUEUED", "FAILED"), outcomes);
    cluster.awaitProvers("IDLE", "broken-a", "broken-b");
  }

  @Test
  void workerCutOffMidContributionCostsOnlyItsRankWhenASpareIsIdle() {
    // given: "a-cut" (first by id among equals) holds rank 0 and is stuck contributing behind a
    // proxy; "c-stays" is idle
    cluster = Cluster.start();
    ControlledBackend stuck = ControlledBackend.overReference();
    stuck.blockIn(TaskType.PARTIAL_CONTRIBUTION);
    TcpProxy path = cluster.workerBehindProxy("a-cut", 2, stuck);
    cluster.worker("b-stays", 2, ControlledBackend.overReference());
    cluster.worker("c-stays", 2, ControlledBackend.overReference());
    cluster.awaitProvers("IDLE", "a-cut", "b-stays", "c-stays");
    Path input = cluster.referenceInput();
    String jobId = cluster.launch(input, 4);
    stuck.awaitStarted(TaskType.PARTIAL_CONTRIBUTION, Cluster.WAIT);
    assertEquals(List.of("a-cut", "b-stays"), cluster.job(jobId).getAssignedProversList());

    // when
    path.cut();

    // then: after the grace, rank 0 is recomputed on the spare; b-stays' work is kept
    JobStatus done = cluster.awaitState(jobId, "COMPLETED");
    assertEquals(1, done.getAttempt(), "the lost rank cost no attempt: " + cluster.events(jobId));
    assertEquals(List.of("c-stays", "b-stays"), done.getAssignedProversList());
    assertEquals(
        List.of("rank 0: prover a-cut lost in PARTIAL_CONTRIBUTION, recomputed on c-stays"),
        done.getRankReplacementsList());
    VerificationResult verdict = cluster.verifyProof(jobId, input);
    assertTrue(verdict.valid(), verdict.summary());
    assertEquals("task_failures=0 infra_failures=0", cluster.failureCounts(jobId));
    assertTrue(
        cluster
            .events(jobId)
            .containsAll(
                List.of("RANK_LOST PARTIAL_CONTRIBUTION", "RANK_REPLACED PARTIAL_CONTRIBUTION")),
        cluster.events(jobId).toString());
    assertEquals(
        1,
        cluster.count(
            """
        SELECT count(*) FROM tasks WHERE job_id = :jobId::uuid AND prover_id = 'b-stays'
          AND task_type = 'PARTIAL_CONTRIBUTION'
        """,
            jobId),
        "b-stays contributed once");
    assertEquals(
        1,
        cluster.count(
            """
        SELECT count(*) FROM job_events WHERE job_id = :jobId::uuid AND event = 'PROVER_LOST' AND prover_id = 'a-cut'
        """,
            jobId));
    assertEquals(
        1,
        cluster.count(
            """
        SELECT count(*) FROM tasks WHERE job_id = :jobId::uuid AND prover_id = 'a-cut' AND state = 'LOST'
        """,
            jobId));
    assertEquals("DISCONNECTED", cluster.provers().get("a-cut").getState());
  }

  @Test
  void proverThatStopsAnsweringHeartbeatsIsDisconnectedAndItsRankRecomputedOnAWorkerThatJoins() {
    // given: a raw prover that registers, takes a task and then stays silent
    cluster = Cluster.start();
    RawProver silent = cluster.rawProver(false);
    assertTrue(silent.register("silent", 2).getAccepted());
    Path input = cluster.referenceInput();
    String jobId = cluster.launch(input, 2);
    ExecuteTaskRequest task = silent.awaitTask();
    assertEquals(jobId, task.getJobId());

    // when: the heartbeat timeout passes without an acknowledgement
    cluster.awaitProver(
        "silent", "to be DISCONNECTED", prover -> prover.getState().equals("DISCONNECTED"));

    // then
    assertTrue(silent.heartbeatsReceived() > 0, "the coordinator did send heartbeats");
    assertEquals(Status.Code.UNAVAILABLE, silent.awaitEnd().getCode());
    JobStatus waiting = cluster.job(jobId);
    assertEquals("RUNNING", waiting.getState());
    assertEquals(
        List.of("rank 0: prover silent lost in PARTIAL_CONTRIBUTION, waiting for a replacement"),
        waiting.getRankReplacementsList());
    assertEquals(List.of("PARTIAL_CONTRIBUTION 0 silent LOST"), cluster.tasks(jobId));

    // and the rank runs once a live worker is there, within the replacement wait
    cluster.worker("live", 2, ControlledBackend.overReference());
    JobStatus done = cluster.awaitState(jobId, "COMPLETED");
    assertEquals(1, done.getAttempt());
    assertEquals("task_failures=0 infra_failures=0", cluster.failureCounts(jobId));
    VerificationResult verdict = cluster.verifyProof(jobId, input);
    assertTrue(verdict.valid(), verdict.summary());
  }

  @Test
  void workerThatReconnectsWithinTheGraceKeepsItsWork() {
    // given: the only worker is busy contributing behind a proxy
    cluster = Cluster.start();
    ControlledBackend backend = ControlledBackend.overReference();
    CountDownLatch finish = backend.blockIn(TaskType.PARTIAL_CONTRIBUTION);
    TcpProxy path = cluster.workerBehindProxy("flaky", 2, backend);
    cluster.awaitProvers("IDLE", "flaky");
    Path input = cluster.referenceInput();
    String jobId = cluster.launch(input, 2);
    backend.awaitStarted(TaskType.PARTIAL_CONTRIBUTION, Cluster.WAIT);

    // when: the path breaks, the coordinator notices, and the path comes back
    path.cut();
    cluster.awaitProver(
        "flaky", "to lose its stream", prover -> prover.getCoordinatorInstanceId().isEmpty());
    path.restore();
    cluster.awaitProver(
        "flaky", "to reconnect", prover -> !prover.getCoordinatorInstanceId().isEmpty());
    finish.countDown();

    // then
    JobStatus done = cluster.awaitState(jobId, "COMPLETED");
    assertEquals(1, done.getAttempt(), "no re-queue");
    VerificationResult verdict = cluster.verifyProof(jobId, input);
    assertTrue(verdict.valid(), verdict.summary());
    assertEquals("task_failures=0 infra_failures=0", cluster.failureCounts(jobId));
    assertFalse(cluster.events(jobId).contains("REQUEUED"), cluster.events(jobId).toString());
    assertEquals(
        1,
        backend.callsFor(jobId).stream()
            .filter(call -> call.phase() == TaskType.PARTIAL_CONTRIBUTION)
            .count(),
        "the contribution ran once, across the reconnect");
    assertEquals("IDLE", cluster.provers().get("flaky").getState());
  }

  @Test
  void workerThatFinishesItsTaskWhileDisconnectedDeliversTheResultOnReconnect() {
    // given: the only worker is busy contributing behind a proxy
    cluster = Cluster.start();
    ControlledBackend backend = ControlledBackend.overReference();
    CountDownLatch finish = backend.blockIn(TaskType.PARTIAL_CONTRIBUTION);
    TcpProxy path = cluster.workerBehindProxy("flaky", 2, backend);
    cluster.awaitProvers("IDLE", "flaky");
    Path input = cluster.referenceInput();
    String jobId = cluster.launch(input, 2);
    backend.awaitStarted(TaskType.PARTIAL_CONTRIBUTION, Cluster.WAIT);

    // when: the path breaks, the task finishes while it is down, and the path comes back
    path.cut();
    cluster.awaitProver(
        "flaky", "to lose its stream", prover -> prover.getCoordinatorInstanceId().isEmpty());
    finish.countDown();
    await("the contribution to finish")
        .atMost(Cluster.WAIT)
        .until(
            backend::finishedCalls,
            calls ->
                calls.contains(new ControlledBackend.Call(TaskType.PARTIAL_CONTRIBUTION, jobId)));
    path.restore();

    // then: the result kept while disconnected counts, and the job goes on without a re-queue
    JobStatus done = cluster.awaitState(jobId, "COMPLETED");
    assertEquals(1, done.getAttempt(), "no re-queue: " + cluster.events(jobId));
    VerificationResult verdict = cluster.verifyProof(jobId, input);
    assertTrue(verdict.valid(), verdict.summary());
    assertEquals("task_failures=0 infra_failures=0", cluster.failureCounts(jobId));
    assertEquals(
        List.of(TaskType.PARTIAL_CONTRIBUTION, TaskType.PROVE, TaskType.AGGREGATE),
        backend.callsFor(jobId).stream().map(ControlledBackend.Call::phase).toList(),
        "each phase ran once: the finished contribution was not run again after the reconnect");
  }

  @Test
  void workerThatComesBackAfterTheGraceDropsItsStaleTaskAndTakesNewWork() {
    // given: "a-late" is stuck on the job's only task behind a proxy, and the path is cut
    cluster = Cluster.start();
    ControlledBackend stuck = ControlledBackend.overReference();
    stuck.blockIn(TaskType.PARTIAL_CONTRIBUTION);
    TcpProxy path = cluster.workerBehindProxy("a-late", 2, stuck);
    cluster.worker("b-stays", 2, ControlledBackend.overReference());
    cluster.awaitProvers("IDLE", "a-late", "b-stays");
    Path input = cluster.referenceInput();
    String lostJob = cluster.launch(input, 2);
    stuck.awaitStarted(TaskType.PARTIAL_CONTRIBUTION, Cluster.WAIT);
    assertEquals(List.of("a-late"), cluster.job(lostJob).getAssignedProversList());
    path.cut();
    cluster.awaitState(lostJob, "COMPLETED");
    assertEquals(List.of("b-stays"), cluster.job(lostJob).getAssignedProversList());

    // when: the worker comes back, long after the grace, still running the task it lost
    path.restore();
    cluster.awaitProver(
        "a-late", "to reconnect", prover -> !prover.getCoordinatorInstanceId().isEmpty());

    // then: the coordinator tells it to drop that work, and it is free for the next job
    await("the stale task to be interrupted")
        .atMost(Cluster.WAIT)
        .until(
            stuck::interruptedCalls,
            calls ->
                calls.contains(new ControlledBackend.Call(TaskType.PARTIAL_CONTRIBUTION, lostJob)));
    stuck.openGates();
    String nextJob = cluster.launch(input, 4);
    JobStatus done = cluster.awaitState(nextJob, "COMPLETED");
    assertEquals(
        1, done.getAttempt(), "no attempt lost to a busy prover: " + cluster.events(nextJob));
    assertEquals(List.of("a-late", "b-stays"), done.getAssignedProversList());
    VerificationResult verdict = cluster.verifyProof(nextJob, input);
    assertTrue(verdict.valid(), verdict.summary());
  }
}
