package zisk.distributed.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import zisk.distributed.api.v1.GetProofRequest;
import zisk.distributed.api.v1.JobStatus;
import zisk.distributed.api.v1.ProverInfo;
import zisk.distributed.cli.Zisk;
import zisk.distributed.coordinator.config.ProofVerification;
import zisk.distributed.reference.VerificationResult;
import zisk.distributed.worker.testing.ControlledBackend;

/** A launched job runs through its three phases on real workers to a proof that verifies. */
class ProvingEndToEndTest {

  private Cluster cluster;

  @AfterEach
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void jobOnOneWorkerCompletesWithAProofThatVerifies() {
    // given
    cluster = Cluster.start();
    cluster.worker("solo", 2, ControlledBackend.overReference());
    cluster.awaitProvers("IDLE", "solo");
    Path input = cluster.referenceInput();

    // when
    String jobId = cluster.launch(input, 2);
    JobStatus done = cluster.awaitState(jobId, "COMPLETED");

    // then
    assertEquals(List.of("solo"), done.getAssignedProversList());
    assertEquals(1, done.getAttempt());
    assertEquals("AGGREGATE", done.getPhase());
    VerificationResult verdict = cluster.verifyProof(jobId, input);
    assertTrue(verdict.valid(), verdict.summary());
    assertEquals("IDLE", cluster.provers().get("solo").getState());
  }

  @Test
  void ziskVerifyAsTheCommandVerifierAcceptsARealProof() {
    // given: the coordinator verifies with `zisk verify --input INPUT PROOF` in a JVM of its own
    List<String> ziskVerify =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            Zisk.class.getName(),
            "verify",
            "--input");
    cluster =
        Cluster.start(
            new ProofVerification(
                ProofVerification.Verifier.COMMAND,
                ziskVerify,
                Duration.ofSeconds(60),
                1,
                Duration.ofMinutes(10),
                List.of(ProofVerification.DEFAULT_INPUTS_DIR)));
    cluster.worker("solo", 2, ControlledBackend.overReference());
    cluster.awaitProvers("IDLE", "solo");
    Path input = cluster.referenceInput();

    // when
    String jobId = cluster.launch(input, 2);

    // then
    cluster.awaitState(jobId, "COMPLETED");
    assertTrue(cluster.verifyProof(jobId, input).valid());
  }

  @Test
  void jobOnThreeWorkersOfDifferentCapacitiesCompletesWithAProofThatVerifies() {
    // given
    cluster = Cluster.start();
    cluster.worker("small", 1, ControlledBackend.overReference());
    cluster.worker("medium", 2, ControlledBackend.overReference());
    cluster.worker("large", 4, ControlledBackend.overReference());
    cluster.awaitProvers("IDLE", "small", "medium", "large");
    Path input = cluster.referenceInput();

    // when
    String jobId = cluster.launch(input, 7);
    JobStatus done = cluster.awaitState(jobId, "COMPLETED");

    // then
    assertEquals(Set.of("small", "medium", "large"), Set.copyOf(done.getAssignedProversList()));
    assertEquals(3, done.getAssignedProversCount());
    VerificationResult verdict = cluster.verifyProof(jobId, input);
    assertTrue(verdict.valid(), verdict.summary());
    List<String> milestones =
        cluster.events(jobId).stream()
            .filter(event -> !event.startsWith("TASK_SUCCEEDED"))
            .toList();
    assertEquals(
        List.of(
            "LAUNCHED",
            "STARTED PARTIAL_CONTRIBUTION",
            "PHASE_STARTED PROVE",
            "PHASE_STARTED AGGREGATE",
            "COMPLETED AGGREGATE"),
        milestones);
    assertEquals(
        3 + 3 + 1,
        cluster.count(
            "SELECT count(*) FROM job_events WHERE job_id = :jobId::uuid AND event = 'TASK_SUCCEEDED'",
            jobId));
    for (ProverInfo prover : cluster.provers().values()) {
      assertEquals("IDLE", prover.getState(), prover.getProverId());
      assertEquals("", prover.getCurrentJobId(), prover.getProverId());
    }
  }

  @Test
  void jobLargerThanTheClusterWaitsWithAReasonAndRunsWhenAWorkerJoins() {
    // given
    cluster = Cluster.start();
    cluster.worker("first", 2, ControlledBackend.overReference());
    cluster.awaitProvers("IDLE", "first");
    Path input = cluster.referenceInput();

    // when
    String jobId = cluster.launch(input, 4);

    // then
    JobStatus waiting =
        cluster.awaitJob(jobId, "to say why it waits", job -> !job.getWaitingReason().isEmpty());
    assertEquals("QUEUED", waiting.getState());
    assertEquals("larger than the cluster: 2 units connected", waiting.getWaitingReason());
    assertEquals(0, waiting.getAttempt());
    assertEquals(
        "IDLE",
        cluster.provers().get("first").getState(),
        "a job that does not fit claims no prover");
    assertEquals(
        "PROOF_NOT_READY",
        cluster
            .api()
            .getProof(GetProofRequest.newBuilder().setJobId(jobId).build())
            .getError()
            .getCode());

    // when
    cluster.worker("second", 2, ControlledBackend.overReference());

    // then
    JobStatus done = cluster.awaitState(jobId, "COMPLETED");
    assertEquals(Set.of("first", "second"), Set.copyOf(done.getAssignedProversList()));
    assertEquals("", done.getWaitingReason());
    VerificationResult verdict = cluster.verifyProof(jobId, input);
    assertTrue(verdict.valid(), verdict.summary());
  }
}
