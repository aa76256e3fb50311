package zisk.distributed.coordinator.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import zisk.distributed.api.v1.CoordinatorMessage;
import zisk.distributed.api.v1.ExecuteTaskRequest;
import zisk.distributed.api.v1.JobStatus;
import zisk.distributed.api.v1.JobStatusRequest;
import zisk.distributed.api.v1.LaunchProofRequest;
import zisk.distributed.api.v1.ProverInfo;
import zisk.distributed.api.v1.ProverRegisterResponse;
import zisk.distributed.api.v1.ProversListRequest;
import zisk.distributed.api.v1.TaskType;
import zisk.distributed.coordinator.config.CoordinatorConfig;
import zisk.distributed.coordinator.config.ProofVerification;
import zisk.distributed.coordinator.testing.RawProver;
import zisk.distributed.coordinator.testing.RunningCoordinator;
import zisk.distributed.coordinator.testing.TestDatabase;

/**
 * A reconnect resumes a session only with that session's secret. The prover id and the job id are
 * public (ProversList, JobsList): whoever reconnects with them alone is a new registration, learns
 * nothing of the job, and the job's work is done again by others.
 */
class ReconnectSecretTest {

  private static final Duration WAIT = Duration.ofSeconds(15);

  private RunningCoordinator coordinator;
  private RawProver genuine;
  private String secret;
  private String jobId;
  private ExecuteTaskRequest contribution;

  @BeforeEach
  void aProverWorkingOnAJob() {
    coordinator =
        // RawProver's made-up final proofs count: this test is about sessions, not verification.
        RunningCoordinator.inProcess(
            CoordinatorConfig.local(TestDatabase.freshJdbcUrl())
                .withProofVerification(
                    ProofVerification.DEFAULT.withVerifier(ProofVerification.Verifier.NONE)));
    genuine = RawProver.open(coordinator.channel(), true);
    ProverRegisterResponse registered = genuine.register("gpu-1", 2);
    assertTrue(registered.getAccepted());
    secret = registered.getSessionSecret();
    assertEquals(43, secret.length(), "a register starts a session with a fresh secret");
    jobId =
        coordinator
            .stub()
            .launchProof(
                LaunchProofRequest.newBuilder()
                    .setBlockId("block-1")
                    .setComputeCapacity(2)
                    .setInputPath("/in")
                    .build())
            .getJobId();
    contribution = genuine.awaitTask();
  }

  @AfterEach
  void stop() {
    genuine.close();
    coordinator.close();
  }

  @Test
  void theProverThatPresentsItsSecretIsWelcomedBackAndKeepsItsWork() {
    givenTheGenuineStreamDied();

    try (RawProver returning = RawProver.open(coordinator.channel(), true)) {
      ProverRegisterResponse response = returning.reconnect("gpu-1", 2, jobId, secret);

      assertTrue(response.getAccepted());
      assertTrue(response.getMessage().contains("keep working on job " + jobId));
      assertEquals("", response.getSessionSecret(), "the resumed session keeps its secret");
      assertEquals(contribution.getTaskId(), returning.awaitTask().getTaskId());
      returning.sendResult(RawProver.success(contribution, "gpu-1"));
      assertEquals(TaskType.PROVE, returning.awaitTask().getTaskType());
      assertEquals(1, job().getAttempt(), "no re-queue");
    }
  }

  @Test
  void anImpostorWithoutTheSecretLearnsNothingAndTheJobGoesOnWithOthers() {
    anImpostorLearnsNothingAndTheJobGoesOnWithOthers("");
  }

  @Test
  void anImpostorWithAWrongSecretLearnsNothingAndTheJobGoesOnWithOthers() {
    anImpostorLearnsNothingAndTheJobGoesOnWithOthers(secret.substring(1) + "A");
  }

  @Test
  void aReconnectWithoutTheSecretCannotTakeOverALiveStream() {
    try (RawProver impostor = RawProver.open(coordinator.channel(), true)) {
      ProverRegisterResponse response = impostor.reconnect("gpu-1", 2, jobId, "");

      assertFalse(response.getAccepted());
      assertFalse(response.getMessage().contains(jobId), response.getMessage());
      assertEquals(Status.Code.ALREADY_EXISTS, impostor.awaitEnd().getCode());
    }
    genuine.sendResult(RawProver.success(contribution, "gpu-1"));
    assertEquals(TaskType.PROVE, genuine.awaitTask().getTaskType(), "the genuine session goes on");
    assertFalse(genuine.hasEnded());
  }

  @Test
  void anOlderWorkerWithoutTheFieldRegistersAgainAndLosesOnlyItsWork() {
    givenTheGenuineStreamDied();

    try (RawProver older = RawProver.open(coordinator.channel(), true)) {
      ProverRegisterResponse response = older.reconnect("gpu-1", 2, jobId, "");

      assertTrue(response.getAccepted());
      assertEquals("registered", response.getMessage());
      assertFalse(response.getSessionSecret().isEmpty(), "a new session, with a new secret");
      // Its old work is lost; as the only idle prover, it recomputes its lost rank from the start.
      ExecuteTaskRequest retried = older.awaitTask();
      assertEquals(TaskType.PARTIAL_CONTRIBUTION, retried.getTaskType());
      assertNotEquals(contribution.getTaskId(), retried.getTaskId());
      assertEquals(1, job().getAttempt());
      assertEquals(
          List.of("rank 0: prover gpu-1 lost in PARTIAL_CONTRIBUTION, recomputed on gpu-1"),
          job().getRankReplacementsList());
    }
  }

  private void anImpostorLearnsNothingAndTheJobGoesOnWithOthers(String presentedSecret) {
    givenTheGenuineStreamDied();

    try (RawProver impostor = RawProver.open(coordinator.channel(), true);
        RawProver spare = RawProver.open(coordinator.channel(), true)) {
      // One unit: too few for the lost rank, so admission never hands it the rank either.
      ProverRegisterResponse response = impostor.reconnect("gpu-1", 1, jobId, presentedSecret);

      assertTrue(response.getAccepted(), "a new registration");
      assertEquals("registered", response.getMessage());
      assertFalse(response.getSessionSecret().isEmpty());
      assertNotEquals(secret, response.getSessionSecret());
      await("the lost rank to wait for a replacement")
          .atMost(WAIT)
          .until(() -> job().getRankReplacementsList().toString().contains("waiting"));

      assertTrue(spare.register("spare", 2).getAccepted());
      runEveryPhase(spare, "spare");
      assertEquals(List.of("spare"), job().getAssignedProversList());
      assertEquals(1, job().getAttempt());
      await("the job to complete").atMost(WAIT).until(() -> job().getState().equals("COMPLETED"));
      assertEquals("IDLE", prover("gpu-1").getState(), "the impostor never got work");
      for (CoordinatorMessage message : impostor.receivedSoFar()) {
        assertFalse(message.hasExecuteTask() || message.hasJobCancelled(), message.toString());
        assertFalse(message.toString().contains(jobId), message.toString());
      }
    }
  }

  private void givenTheGenuineStreamDied() {
    genuine.cancel();
    await("the coordinator to notice the stream is gone")
        .atMost(WAIT)
        .until(() -> prover("gpu-1").getCoordinatorInstanceId().isEmpty());
  }

  /** The job's lost rank runs every phase on {@code prover}, which answers each. */
  private void runEveryPhase(RawProver prover, String proverId) {
    for (TaskType phase :
        List.of(TaskType.PARTIAL_CONTRIBUTION, TaskType.PROVE, TaskType.AGGREGATE)) {
      ExecuteTaskRequest task = prover.awaitTask();
      assertEquals(phase, task.getTaskType());
      assertEquals(jobId, task.getJobId());
      prover.sendResult(RawProver.success(task, proverId));
    }
  }

  private JobStatus job() {
    return coordinator
        .stub()
        .jobStatus(JobStatusRequest.newBuilder().setJobId(jobId).build())
        .getJob();
  }

  private ProverInfo prover(String proverId) {
    return coordinator
        .stub()
        .proversList(ProversListRequest.getDefaultInstance())
        .getProversList()
        .getProversList()
        .stream()
        .filter(prover -> prover.getProverId().equals(proverId))
        .findFirst()
        .orElseThrow();
  }
}
