package zisk.distributed.coordinator.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zisk.distributed.api.v1.ComputeCapacity;
import zisk.distributed.api.v1.CoordinatorMessage;
import zisk.distributed.api.v1.ExecuteTaskRequest;
import zisk.distributed.api.v1.ExecuteTaskResponse;
import zisk.distributed.api.v1.FinalProofList;
import zisk.distributed.api.v1.GetProofRequest;
import zisk.distributed.api.v1.GetProofResponse;
import zisk.distributed.api.v1.JobStatus;
import zisk.distributed.api.v1.JobStatusRequest;
import zisk.distributed.api.v1.LaunchProofRequest;
import zisk.distributed.api.v1.ProverMessage;
import zisk.distributed.api.v1.ProverReconnectRequest;
import zisk.distributed.api.v1.ProverRegisterResponse;
import zisk.distributed.api.v1.ProversList;
import zisk.distributed.api.v1.ProversListRequest;
import zisk.distributed.api.v1.TaskType;
import zisk.distributed.coordinator.config.CoordinatorConfig;
import zisk.distributed.coordinator.config.ProofVerification;
import zisk.distributed.coordinator.config.ProofVerification.Verifier;
import zisk.distributed.coordinator.testing.RawProver;
import zisk.distributed.coordinator.testing.RunningCoordinator;
import zisk.distributed.coordinator.testing.TestDatabase;
import zisk.distributed.reference.ReferenceInput;
import zisk.distributed.reference.ReferenceProofs;

/**
 * Final proofs verified before they count, end to end over gRPC: raw provers that send whatever the
 * test tells them, a real coordinator, a real PostgreSQL, real verifiers.
 */
class FinalProofVerificationTest {

  private static final ReferenceInput INPUT =
      new ReferenceInput(2, 32, HexFormat.of().parseHex("feedface"));

  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;

  @Test
  void aForgedFinalProofNeverCompletesTheJobAndItsProverGetsNoMoreWork() throws Exception {
    try (RunningCoordinator coordinator = coordinator(Verifier.REFERENCE, List.of());
        RawProver forger = RawProver.open(coordinator.channel(), true)) {
      // given: a job whose only prover forges its final proof (RawProver's is 6 bytes)
      assertTrue(forger.register("forger", 1).getAccepted());
      String jobId = launch(coordinator);
      ExecuteTaskRequest aggregate = runToAggregate(forger);

      // when
      forger.sendResult(RawProver.success(aggregate, "forger"));

      // then: the attempt fails as INVALID_PROOF, the job waits to retry, no proof is served
      JobStatus failed = awaitError(coordinator, jobId, "INVALID_PROOF");
      assertEquals("QUEUED", failed.getState());
      assertTrue(
          failed.getError().getMessage().startsWith("invalid final proof from prover forger"),
          failed.getError().getMessage());
      assertTrue(
          coordinator.stub().getProof(proofOf(jobId)).hasError(), "GetProof serves no proof");
      assertTrue(held(coordinator, "forger"));
      assertEquals("0 0 1", failureCounts(coordinator, jobId));
      ProversList provers =
          coordinator.stub().proversList(ProversListRequest.getDefaultInstance()).getProversList();
      assertTrue(provers.getProvers(0).hasHeldUntil(), "ProversList shows the hold");
      assertEquals(
          0,
          coordinator
              .stub()
              .proversList(ProversListRequest.newBuilder().setAvailableOnly(true).build())
              .getProversList()
              .getProversCount(),
          "a held prover is not available");

      // and: the retry goes to another prover, never to the held one
      try (RawProver honest = RawProver.open(coordinator.channel(), true)) {
        assertTrue(honest.register("honest", 1).getAccepted());
        ExecuteTaskRequest retry = runToAggregate(honest);
        assertEquals(2, attempt(coordinator, jobId));
        assertEquals(List.of("honest"), proversOfAttempt(coordinator, jobId, 2));
        honest.sendResult(withProof(retry, "honest", ReferenceProofs.prove(INPUT, 1)));

        awaitState(coordinator, jobId, "COMPLETED");
        GetProofResponse proof = coordinator.stub().getProof(proofOf(jobId));
        assertFalse(proof.hasError(), proof.toString());
      }
    }
  }

  @Test
  void aRealReferenceProofCompletesTheJob() throws Exception {
    try (RunningCoordinator coordinator = coordinator(Verifier.REFERENCE, List.of());
        RawProver prover = RawProver.open(coordinator.channel(), true)) {
      assertTrue(prover.register("prover", 1).getAccepted());
      String jobId = launch(coordinator);
      ExecuteTaskRequest aggregate = runToAggregate(prover);

      prover.sendResult(withProof(aggregate, "prover", ReferenceProofs.prove(INPUT, 1)));

      awaitState(coordinator, jobId, "COMPLETED");
      assertTrue(
          lastEventDetail(coordinator, jobId).contains("verified by the reference verifier"));
    }
  }

  @Test
  void withVerificationOffAForgedProofCompletes() throws Exception {
    try (RunningCoordinator coordinator = coordinator(Verifier.NONE, List.of());
        RawProver prover = RawProver.open(coordinator.channel(), true)) {
      assertTrue(prover.register("prover", 1).getAccepted());
      String jobId = launch(coordinator);

      prover.sendResult(RawProver.success(runToAggregate(prover), "prover"));

      awaitState(coordinator, jobId, "COMPLETED");
      assertTrue(lastEventDetail(coordinator, jobId).endsWith("(proofs.verifier = none)"));
    }
  }

  @Test
  void aCommandVerifierThatAcceptsCompletesTheJob() throws Exception {
    try (RunningCoordinator coordinator = coordinator(Verifier.COMMAND, script("exit 0"));
        RawProver prover = RawProver.open(coordinator.channel(), true)) {
      assertTrue(prover.register("prover", 1).getAccepted());
      String jobId = launch(coordinator);

      prover.sendResult(RawProver.success(runToAggregate(prover), "prover"));

      awaitState(coordinator, jobId, "COMPLETED");
    }
  }

  @Test
  void aCommandVerifierThatRejectsFailsTheAttemptAndHoldsTheProver() throws Exception {
    try (RunningCoordinator coordinator =
            coordinator(Verifier.COMMAND, script("echo forged; exit 1"));
        RawProver prover = RawProver.open(coordinator.channel(), true)) {
      assertTrue(prover.register("prover", 1).getAccepted());
      String jobId = launch(coordinator);

      prover.sendResult(RawProver.success(runToAggregate(prover), "prover"));

      JobStatus failed = awaitError(coordinator, jobId, "INVALID_PROOF");
      assertTrue(failed.getError().getMessage().endsWith("(exit 1): forged"));
      assertTrue(held(coordinator, "prover"));
    }
  }

  @Test
  void aCommandVerifierThatHangsIsKilledAndTheProverIsNotBlamed() throws Exception {
    try (RunningCoordinator coordinator = coordinator(Verifier.COMMAND, script("sleep 300"));
        RawProver prover = RawProver.open(coordinator.channel(), true)) {
      assertTrue(prover.register("prover", 1).getAccepted());
      String jobId = launch(coordinator);

      prover.sendResult(RawProver.success(runToAggregate(prover), "prover"));

      JobStatus failed = awaitError(coordinator, jobId, "VERIFIER_FAILED");
      assertTrue(failed.getError().getMessage().contains("did not finish within 1 s (killed)"));
      assertFalse(held(coordinator, "prover"));
      assertEquals("0 1 0", failureCounts(coordinator, jobId));
      // Not held: the retry comes back to the same prover.
      assertEquals(TaskType.PARTIAL_CONTRIBUTION, prover.awaitTask().getTaskType());
    }
  }

  @Test
  void aFinalProofSentJustBeforeTheStreamEndsCountsOnceVerified() throws Exception {
    try (RunningCoordinator coordinator =
            coordinator(Verifier.COMMAND, script("sleep 1; exit 0"), Duration.ofSeconds(30));
        RawProver prover = RawProver.open(coordinator.channel(), true)) {
      assertTrue(prover.register("prover", 1).getAccepted());
      String jobId = launch(coordinator);
      ExecuteTaskRequest aggregate = runToAggregate(prover);

      // The proof, then at once the end of the stream: the end waits for the verdict.
      prover.sendResult(RawProver.success(aggregate, "prover"));
      prover.cancel();

      awaitState(coordinator, jobId, "COMPLETED");
    }
  }

  @Test
  void aFinalProofSentAgainOnANewSessionWhileTheFirstIsVerifiedCompletesTheJob() throws Exception {
    try (RunningCoordinator coordinator =
            coordinator(Verifier.COMMAND, script("sleep 1; exit 0"), Duration.ofSeconds(30));
        RawProver first = RawProver.open(coordinator.channel(), true);
        RawProver second = RawProver.open(coordinator.channel(), true)) {
      ProverRegisterResponse registered = first.register("prover", 1);
      assertTrue(registered.getAccepted());
      String jobId = launch(coordinator);
      ExecuteTaskRequest aggregate = runToAggregate(first);

      // The proof, the stream breaks, the worker reconnects and sends its proof again (as a worker
      // does with a result written just before a break): the old session's verdict cannot count.
      first.sendResult(RawProver.success(aggregate, "prover"));
      first.cancel();
      second.send(
          ProverMessage.newBuilder()
              .setReconnect(
                  ProverReconnectRequest.newBuilder()
                      .setProverId("prover")
                      .setComputeCapacity(ComputeCapacity.newBuilder().setComputeUnits(1))
                      .setLastKnownJobId(jobId)
                      .setSessionSecret(registered.getSessionSecret()))
              .build());
      assertTrue(
          second
              .await("register_response", CoordinatorMessage::hasRegisterResponse)
              .getRegisterResponse()
              .getAccepted());
      second.sendResult(RawProver.success(aggregate, "prover"));

      awaitState(coordinator, jobId, "COMPLETED");
    }
  }

  @Test
  void aDuplicateFinalProofIsVerifiedAndCountedOnce() throws Exception {
    Path runs = dir.resolve("runs");
    try (RunningCoordinator coordinator =
            coordinator(
                Verifier.COMMAND,
                script("echo run >> " + runs + "; sleep 1; exit 1"),
                Duration.ofSeconds(30));
        RawProver prover = RawProver.open(coordinator.channel(), true)) {
      assertTrue(prover.register("prover", 1).getAccepted());
      String jobId = launch(coordinator);
      ExecuteTaskRequest aggregate = runToAggregate(prover);

      prover.sendResult(RawProver.success(aggregate, "prover"));
      prover.sendResult(RawProver.success(aggregate, "prover"));

      awaitError(coordinator, jobId, "INVALID_PROOF");
      assertEquals("0 0 1", failureCounts(coordinator, jobId));
      assertEquals(List.of("run"), Files.readAllLines(runs));
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private RunningCoordinator coordinator(Verifier verifier, List<String> command) {
    return coordinator(verifier, command, Duration.ofSeconds(1));
  }

  private RunningCoordinator coordinator(
      Verifier verifier, List<String> command, Duration timeout) {
    ProofVerification proofs =
        new ProofVerification(verifier, command, timeout, 2, Duration.ofMinutes(10), List.of(dir));
    return RunningCoordinator.inProcess(
        CoordinatorConfig.local(TestDatabase.freshJdbcUrl()).withProofVerification(proofs));
  }

  private String launch(RunningCoordinator coordinator) throws Exception {
    Path input = dir.resolve("input.toml");
    INPUT.write(input);
    return coordinator
        .stub()
        .launchProof(
            LaunchProofRequest.newBuilder()
                .setBlockId("block")
                .setComputeCapacity(1)
                .setInputPath(input.toString())
                .build())
        .getJobId();
  }

  /** Answers PARTIAL_CONTRIBUTION and PROVE with made-up results; returns the AGGREGATE task. */
  private static ExecuteTaskRequest runToAggregate(RawProver prover) {
    while (true) {
      ExecuteTaskRequest task = prover.awaitTask();
      if (task.getTaskType() == TaskType.AGGREGATE) {
        return task;
      }
      prover.sendResult(RawProver.success(task, task.getProverId()));
    }
  }

  private static ExecuteTaskResponse withProof(
      ExecuteTaskRequest task, String proverId, FinalProofList proof) {
    return RawProver.success(task, proverId).toBuilder().setFinalProof(proof).build();
  }

  private Path scriptFile(String body) throws Exception {
    Path script = Files.createTempFile(dir, "verify-", ".sh");
    Files.writeString(script, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    return script;
  }

  private List<String> script(String body) throws Exception {
    return List.of(scriptFile(body).toString());
  }

  private static GetProofRequest proofOf(String jobId) {
    return GetProofRequest.newBuilder().setJobId(jobId).build();
  }

  private static JobStatus status(RunningCoordinator coordinator, String jobId) {
    return coordinator
        .stub()
        .jobStatus(JobStatusRequest.newBuilder().setJobId(jobId).build())
        .getJob();
  }

  private static void awaitState(RunningCoordinator coordinator, String jobId, String state) {
    await("job " + state)
        .atMost(WAIT)
        .until(() -> status(coordinator, jobId), job -> job.getState().equals(state));
  }

  private static JobStatus awaitError(RunningCoordinator coordinator, String jobId, String code) {
    return await("job error " + code)
        .atMost(WAIT)
        .until(() -> status(coordinator, jobId), job -> job.getError().getCode().equals(code));
  }

  private static boolean held(RunningCoordinator coordinator, String proverId) {
    return coordinator
        .jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT coalesce(held_until > now(), false) FROM provers WHERE prover_id = ?")
                    .bind(0, proverId)
                    .mapTo(Boolean.class)
                    .one());
  }

  private static String failureCounts(RunningCoordinator coordinator, String jobId) {
    return coordinator
        .jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT task_failures || ' ' || infra_failures || ' ' || invalid_proofs FROM jobs WHERE job_id = ?::uuid")
                    .bind(0, jobId)
                    .mapTo(String.class)
                    .one());
  }

  private static int attempt(RunningCoordinator coordinator, String jobId) {
    return coordinator
        .jdbi()
        .withHandle(
            h ->
                h.createQuery("SELECT attempt FROM jobs WHERE job_id = ?::uuid")
                    .bind(0, jobId)
                    .mapTo(Integer.class)
                    .one());
  }

  private static List<String> proversOfAttempt(
      RunningCoordinator coordinator, String jobId, int attempt) {
    return coordinator
        .jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT DISTINCT prover_id FROM tasks WHERE job_id = ?::uuid AND attempt = ?")
                    .bind(0, jobId)
                    .bind(1, attempt)
                    .mapTo(String.class)
                    .list());
  }

  private static String lastEventDetail(RunningCoordinator coordinator, String jobId) {
    return coordinator
        .jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT detail FROM job_events WHERE job_id = ?::uuid ORDER BY event_id DESC LIMIT 1")
                    .bind(0, jobId)
                    .mapTo(String.class)
                    .one());
  }
}
