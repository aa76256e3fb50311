package zisk.distributed.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import zisk.distributed.api.v1.CancelJobRequest;
import zisk.distributed.api.v1.CancelJobResponse;
import zisk.distributed.api.v1.JobStatus;
import zisk.distributed.api.v1.ProverInfo;
import zisk.distributed.api.v1.TaskType;
import zisk.distributed.worker.testing.ControlledBackend;

/** CancelJob in each phase stops the running prover work at once and frees the provers. */
class CancelEndToEndTest {

  private Cluster cluster;

  @AfterEach
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @ParameterizedTest(name = "cancel in {0}")
  @EnumSource(
      value = TaskType.class,
      names = {"PARTIAL_CONTRIBUTION", "PROVE", "AGGREGATE"})
  void cancelInAPhaseInterruptsTheRunningTaskAndFreesTheProvers(TaskType phase) {
    // given: both workers block when they reach the phase
    cluster = Cluster.start();
    ControlledBackend first = ControlledBackend.overReference();
    ControlledBackend second = ControlledBackend.overReference();
    first.blockIn(phase);
    second.blockIn(phase);
    cluster.worker("first", 2, first);
    cluster.worker("second", 2, second);
    cluster.awaitProvers("IDLE", "first", "second");
    Path input = cluster.referenceInput();
    String jobId = cluster.launch(input, 4);
    List<ControlledBackend> blocked = awaitBlocked(phase, jobId, first, second);
    cluster.awaitPhase(jobId, phase.name());

    // when
    CancelJobResponse response =
        cluster
            .api()
            .cancelJob(
                CancelJobRequest.newBuilder()
                    .setJobId(jobId)
                    .setReason("operator changed their mind")
                    .build());

    // then
    assertEquals("CANCELLED", response.getJob().getState(), response.toString());
    JobStatus cancelled = cluster.job(jobId);
    assertEquals("CANCELLED", cancelled.getState());
    assertEquals(phase.name(), cancelled.getPhase());
    assertEquals("operator changed their mind", cancelled.getError().getMessage());
    for (ControlledBackend backend : blocked) {
      await("the blocked " + phase + " call to be interrupted")
          .atMost(Cluster.WAIT)
          .until(
              backend::interruptedCalls,
              calls -> calls.contains(new ControlledBackend.Call(phase, jobId)));
    }
    for (ProverInfo prover : cluster.provers().values()) {
      assertEquals("IDLE", prover.getState(), prover.getProverId());
    }
    assertEquals(
        0,
        cluster.count(
            """
        SELECT count(*) FROM tasks WHERE job_id = :jobId::uuid AND state IN ('ASSIGNED', 'DISPATCHED')
        """,
            jobId));
    int callsAtCancel = first.callsFor(jobId).size() + second.callsFor(jobId).size();

    // and: the same provers prove the next job, and nothing more of the cancelled one reaches them
    first.openGates();
    second.openGates();
    String nextJob = cluster.launch(input, 4);
    cluster.awaitState(nextJob, "COMPLETED");
    assertEquals(
        callsAtCancel,
        first.callsFor(jobId).size() + second.callsFor(jobId).size(),
        "no task of the cancelled job was dispatched after the cancel");
    assertEquals("CANCELLED", cluster.job(jobId).getState());
    assertEquals(
        List.of("CANCELLED " + phase.name()),
        cluster.events(jobId).stream()
            .filter(
                event ->
                    !event.startsWith("TASK_SUCCEEDED")
                        && !event.startsWith("TASK_DISPATCHED")
                        && !event.startsWith("PHASE_STARTED")
                        && !event.startsWith("STARTED")
                        && !event.equals("LAUNCHED"))
            .toList(),
        "the cancel is the job's last transition");
  }

  /**
   * Waits until the phase's calls are blocked: both ranks for the first two phases, the aggregator
   * for the last.
   */
  private static List<ControlledBackend> awaitBlocked(
      TaskType phase, String jobId, ControlledBackend... backends) {
    ControlledBackend.Call call = new ControlledBackend.Call(phase, jobId);
    if (phase == TaskType.AGGREGATE) {
      return List.of(
          await("an aggregator to start")
              .atMost(Cluster.WAIT)
              .until(
                  () ->
                      List.of(backends).stream()
                          .filter(backend -> backend.calls().contains(call))
                          .findFirst(),
                  java.util.Optional::isPresent)
              .orElseThrow());
    }
    for (ControlledBackend backend : backends) {
      await("both ranks to start " + phase)
          .atMost(Cluster.WAIT)
          .until(backend::calls, calls -> calls.contains(call));
    }
    return List.of(backends);
  }

  @Test
  void cancelOfAQueuedJobMeansItNeverStarts() {
    // given: a job waiting for capacity
    cluster = Cluster.start();
    Path input = cluster.referenceInput();
    String jobId = cluster.launch(input, 2);
    assertEquals("QUEUED", cluster.job(jobId).getState());

    // when
    CancelJobResponse response =
        cluster.api().cancelJob(CancelJobRequest.newBuilder().setJobId(jobId).build());
    ControlledBackend backend = ControlledBackend.overReference();
    cluster.worker("late", 2, backend);
    cluster.awaitProvers("IDLE", "late");
    String nextJob = cluster.launch(input, 2);
    cluster.awaitState(nextJob, "COMPLETED");

    // then
    assertEquals("CANCELLED", response.getJob().getState());
    assertEquals("CANCELLED", cluster.job(jobId).getState());
    assertEquals(List.of(), backend.callsFor(jobId), "the cancelled job never reached the prover");
    assertEquals(0, cluster.count("SELECT count(*) FROM tasks WHERE job_id = :jobId::uuid", jobId));
    assertEquals(List.of("LAUNCHED", "CANCELLED"), cluster.events(jobId));
    assertEquals(
        "FAILED_PRECONDITION",
        cluster
            .api()
            .cancelJob(CancelJobRequest.newBuilder().setJobId(jobId).build())
            .getError()
            .getCode(),
        "a finished job cannot be cancelled again");
  }
}
