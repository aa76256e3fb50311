package zisk.distributed.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import zisk.distributed.api.v1.CancelJobRequest;
import zisk.distributed.api.v1.ExecuteTaskRequest;
import zisk.distributed.api.v1.ExecuteTaskResponse;
import zisk.distributed.api.v1.HeartbeatAck;
import zisk.distributed.api.v1.JobStatus;
import zisk.distributed.api.v1.Proof;
import zisk.distributed.api.v1.ProofList;
import zisk.distributed.api.v1.ProverError;
import zisk.distributed.api.v1.ProverMessage;
import zisk.distributed.api.v1.ProverRegisterResponse;
import zisk.distributed.api.v1.TaskType;
import zisk.distributed.coordinator.testing.RawProver;
import zisk.distributed.reference.ReferenceInput;
import zisk.distributed.reference.ReferenceProofs;

/**
 * Crafted ProverStream messages from a hand-written client: what a real worker never sends (stale,
 * forged and duplicate results, bad registrations) must change nothing, and say so on the stream
 * where the protocol says it should.
 *
 * <p>Messages on one stream are handled in order, so where a test checks that a message changed
 * nothing, it first sends a later message on the same stream whose effect it can see.
 */
class ProverStreamProtocolTest {

  private static final String EVENT_COUNT =
      "SELECT count(*) FROM job_events WHERE job_id = :jobId::uuid";

  private Cluster cluster;
  private Path input;

  @BeforeEach
  void startCluster() {
    cluster = Cluster.start();
    input = cluster.referenceInput();
  }

  @AfterEach
  void stopCluster() {
    cluster.close();
  }

  @Test
  void resultForATaskOfACancelledJobChangesNothing() {
    // given: a prover holds a task, and its job is cancelled
    RawProver prover = registered("raw-a", 2);
    String cancelledJob = cluster.launch(input, 2);
    ExecuteTaskRequest staleTask = prover.awaitTask();
    cluster.api().cancelJob(CancelJobRequest.newBuilder().setJobId(cancelledJob).build());
    prover.awaitJobCancelled(cancelledJob);
    List<String> tasksBefore = cluster.tasks(cancelledJob);
    long eventsBefore = cluster.count(EVENT_COUNT, cancelledJob);
    String nextJob = cluster.launch(input, 2);
    ExecuteTaskRequest nextTask = prover.awaitTask();
    assertEquals(nextJob, nextTask.getJobId());

    // when: the stale result arrives, followed by a real one for the next job
    prover.sendResult(RawProver.success(staleTask, "raw-a"));
    prover.sendResult(RawProver.success(nextTask, "raw-a"));

    // then
    cluster.awaitPhase(nextJob, "PROVE");
    assertEquals("CANCELLED", cluster.job(cancelledJob).getState());
    assertEquals(List.of("PARTIAL_CONTRIBUTION 0 raw-a CANCELLED"), tasksBefore);
    assertEquals(tasksBefore, cluster.tasks(cancelledJob));
    assertEquals(eventsBefore, cluster.count(EVENT_COUNT, cancelledJob));
    assertEquals(
        0,
        cluster.count(
            "SELECT count(*) FROM tasks WHERE job_id = :jobId::uuid AND result IS NOT NULL",
            cancelledJob));
    assertFalse(prover.hasEnded(), "a stale result is not a protocol error");
  }

  @Test
  void resultFromTheWrongProverChangesNothing() {
    // given: a job on two provers, one task each
    RawProver proverA = registered("raw-a", 1);
    RawProver proverB = registered("raw-b", 1);
    String jobId = cluster.launch(input, 2);
    ExecuteTaskRequest taskOfA = proverA.awaitTask();
    ExecuteTaskRequest taskOfB = proverB.awaitTask();

    // when: B sends a result for A's task (claiming to be A, even), then its own
    proverB.sendResult(RawProver.success(taskOfA, "raw-a"));
    proverB.sendResult(RawProver.success(taskOfB, "raw-b"));

    // then
    await("B's own result to be accepted")
        .atMost(Cluster.WAIT)
        .until(
            () -> cluster.tasks(jobId),
            tasks -> tasks.contains("PARTIAL_CONTRIBUTION 1 raw-b SUCCEEDED"));
    assertEquals(
        List.of(
            "PARTIAL_CONTRIBUTION 0 raw-a DISPATCHED", "PARTIAL_CONTRIBUTION 1 raw-b SUCCEEDED"),
        cluster.tasks(jobId));
    assertEquals("PARTIAL_CONTRIBUTION", cluster.job(jobId).getPhase());
    assertEquals(
        List.of("LAUNCHED", "STARTED PARTIAL_CONTRIBUTION", "TASK_SUCCEEDED PARTIAL_CONTRIBUTION"),
        cluster.events(jobId));

    // and A's task is still A's to finish
    proverA.sendResult(RawProver.success(taskOfA, "raw-a"));
    cluster.awaitPhase(jobId, "PROVE");
  }

  @Test
  void duplicateResultChangesNothingTheSecondTime() throws Exception {
    // given
    RawProver prover = registered("raw-a", 1);
    String jobId = cluster.launch(input, 1);

    // when: every result but the last is sent twice; each next task proves the duplicate was
    // handled
    ExecuteTaskRequest contribution = prover.awaitTask();
    prover.sendResult(RawProver.success(contribution, "raw-a"));
    prover.sendResult(RawProver.success(contribution, "raw-a"));
    ExecuteTaskRequest prove = prover.awaitTask();
    assertEquals(TaskType.PROVE, prove.getTaskType());
    prover.sendResult(RawProver.success(prove, "raw-a"));
    prover.sendResult(RawProver.success(prove, "raw-a"));
    ExecuteTaskRequest aggregate = prover.awaitTask();
    assertEquals(TaskType.AGGREGATE, aggregate.getTaskType());
    // The final proof must verify: a real one, sent twice too.
    ExecuteTaskResponse finalProof =
        RawProver.success(aggregate, "raw-a").toBuilder()
            .setFinalProof(ReferenceProofs.prove(ReferenceInput.read(input), 1))
            .build();
    prover.sendResult(finalProof);
    prover.sendResult(finalProof);

    // then
    cluster.awaitState(jobId, "COMPLETED");
    assertEquals(
        List.of(
            "LAUNCHED",
            "STARTED PARTIAL_CONTRIBUTION",
            "TASK_SUCCEEDED PARTIAL_CONTRIBUTION",
            "PHASE_STARTED PROVE",
            "TASK_SUCCEEDED PROVE",
            "PHASE_STARTED AGGREGATE",
            "TASK_SUCCEEDED AGGREGATE",
            "COMPLETED AGGREGATE"),
        cluster.events(jobId));
    assertEquals(
        List.of(
            "PARTIAL_CONTRIBUTION 0 raw-a SUCCEEDED",
            "PROVE 0 raw-a SUCCEEDED",
            "AGGREGATE 0 raw-a SUCCEEDED"),
        cluster.tasks(jobId));
    assertEquals("IDLE", cluster.provers().get("raw-a").getState());
    assertFalse(prover.hasEnded(), "a duplicate is not a protocol error");
  }

  @Test
  void forgedResultsForUnknownTasksOrTheWrongPhaseChangeNothing() {
    // given
    RawProver prover = registered("raw-a", 1);
    String jobId = cluster.launch(input, 1);
    ExecuteTaskRequest task = prover.awaitTask();
    ExecuteTaskResponse real = RawProver.success(task, "raw-a");

    // when: an unknown task, a malformed task id, and the right task with the wrong phase; then the
    // real one
    prover.sendResult(real.toBuilder().setTaskId(UUID.randomUUID().toString()).build());
    prover.sendResult(real.toBuilder().setTaskId("not-a-task-id").build());
    prover.sendResult(
        real.toBuilder()
            .setTaskType(TaskType.PROVE)
            .setProofs(ProofList.newBuilder().addProofs(Proof.newBuilder().addValues(1)))
            .build());
    prover.sendResult(real);

    // then
    cluster.awaitPhase(jobId, "PROVE");
    assertEquals(
        List.of(
            "LAUNCHED",
            "STARTED PARTIAL_CONTRIBUTION",
            "TASK_SUCCEEDED PARTIAL_CONTRIBUTION",
            "PHASE_STARTED PROVE"),
        cluster.events(jobId));
    assertEquals(
        List.of("PARTIAL_CONTRIBUTION 0 raw-a SUCCEEDED", "PROVE 0 raw-a DISPATCHED"),
        cluster.tasks(jobId));
    byte[] stored =
        cluster
            .coordinator()
            .jdbi()
            .withHandle(
                handle ->
                    handle
                        .createQuery("SELECT result FROM tasks WHERE task_id = :taskId::uuid")
                        .bind("taskId", task.getTaskId())
                        .mapTo(byte[].class)
                        .one());
    assertEquals(
        real.getChallenges().toByteString(),
        ByteString.copyFrom(stored),
        "the real result is the one stored");
    assertFalse(prover.hasEnded());
  }

  @Test
  void proverErrorFailsTheProversTaskAndRequeuesTheJob() {
    // given
    RawProver prover = registered("raw-a", 1);
    String jobId = cluster.launch(input, 1);
    ExecuteTaskRequest task = prover.awaitTask();

    // when
    prover.send(
        ProverMessage.newBuilder()
            .setError(
                ProverError.newBuilder()
                    .setProverId("raw-a")
                    .setJobId(jobId)
                    .setTaskId(task.getTaskId())
                    .setErrorMessage("GPU fell off the bus"))
            .build());

    // then: re-queued and started again, on the same (only) prover
    ExecuteTaskRequest retry = prover.awaitTask();
    assertEquals(jobId, retry.getJobId());
    JobStatus job = cluster.job(jobId);
    assertEquals(2, job.getAttempt());
    assertEquals(
        1, cluster.count("SELECT task_failures FROM jobs WHERE job_id = :jobId::uuid", jobId));
    assertEquals(
        0, cluster.count("SELECT infra_failures FROM jobs WHERE job_id = :jobId::uuid", jobId));
    assertEquals(
        1,
        cluster.count(
            """
        SELECT count(*) FROM job_events WHERE job_id = :jobId::uuid AND event = 'REQUEUED'
          AND detail LIKE '%GPU fell off the bus%'
        """,
            jobId));
    assertTrue(
        cluster.tasks(jobId).contains("PARTIAL_CONTRIBUTION 0 raw-a FAILED"),
        cluster.tasks(jobId).toString());
  }

  @Test
  void firstMessageThatIsNotARegistrationEndsTheStreamWithInvalidArgument() {
    // given
    RawProver prover = cluster.rawProver(true);

    // when
    prover.send(
        ProverMessage.newBuilder()
            .setHeartbeatAck(HeartbeatAck.newBuilder().setProverId("raw-a"))
            .build());

    // then
    Status status = prover.awaitEnd();
    assertEquals(Status.Code.INVALID_ARGUMENT, status.getCode());
    assertTrue(status.getDescription().contains("register or reconnect"), status.getDescription());
    assertTrue(cluster.provers().isEmpty());
  }

  @Test
  void registrationWithAnInvalidProverIdIsRefusedAndTheStreamEnds() {
    RawProver prover = cluster.rawProver(true);

    ProverRegisterResponse response = prover.register("has a space", 1);

    assertFalse(response.getAccepted());
    assertTrue(response.getMessage().contains("prover_id"), response.getMessage());
    assertEquals(Status.Code.INVALID_ARGUMENT, prover.awaitEnd().getCode());
    assertTrue(cluster.provers().isEmpty());
  }

  @Test
  void registrationWithZeroComputeUnitsIsRefusedAndTheStreamEnds() {
    RawProver prover = cluster.rawProver(true);

    ProverRegisterResponse response = prover.register("raw-a", 0);

    assertFalse(response.getAccepted());
    assertTrue(response.getMessage().contains("compute_units"), response.getMessage());
    assertEquals(Status.Code.INVALID_ARGUMENT, prover.awaitEnd().getCode());
    assertTrue(cluster.provers().isEmpty());
  }

  @Test
  void secondLiveStreamForAProverIdIsRefusedButADeadOneCanBeReplaced() {
    // given
    RawProver original = registered("twin", 2);

    // when: a second stream claims the same id while the first is alive
    RawProver impostor = cluster.rawProver(true);
    ProverRegisterResponse refused = impostor.register("twin", 2);

    // then
    assertFalse(refused.getAccepted());
    assertTrue(refused.getMessage().contains("already connected"), refused.getMessage());
    assertEquals(Status.Code.ALREADY_EXISTS, impostor.awaitEnd().getCode());
    assertFalse(original.hasEnded(), "the live stream is left alone");
    assertEquals("IDLE", cluster.provers().get("twin").getState());

    // when: the original stream dies, and the prover comes back
    original.cancel();
    cluster.awaitProver(
        "twin", "to be DISCONNECTED", prover -> prover.getState().equals("DISCONNECTED"));
    RawProver returning = cluster.rawProver(true);

    // then
    assertTrue(returning.register("twin", 2).getAccepted());
    cluster.awaitProvers("IDLE", "twin");
  }

  private RawProver registered(String proverId, int computeUnits) {
    RawProver prover = cluster.rawProver(true);
    ProverRegisterResponse response = prover.register(proverId, computeUnits);
    assertTrue(response.getAccepted(), response.toString());
    return prover;
  }
}
