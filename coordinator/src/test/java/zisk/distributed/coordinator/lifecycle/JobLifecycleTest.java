package zisk.distributed.coordinator.lifecycle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import zisk.distributed.coordinator.scheduling.Admission;
import zisk.distributed.coordinator.store.NewJob;
import zisk.distributed.coordinator.store.Phase;
import zisk.distributed.coordinator.store.Store;
import zisk.distributed.coordinator.store.TaskDao.OutgoingTask;
import zisk.distributed.coordinator.store.TaskInputs;
import zisk.distributed.coordinator.store.Tx;
import zisk.distributed.coordinator.testing.TestCluster;
import zisk.distributed.coordinator.verification.ProofVerdict;

/**
 * The job state machine driven directly, transition by transition, against a real PostgreSQL: no
 * streams, no threads, no waiting. Two provers, p1 and p2, hold streams on this coordinator.
 */
class JobLifecycleTest {

  private static final byte[] CONTRIBUTION = {1};
  private static final byte[] PARTIAL_PROOF = {2};
  private static final byte[] FINAL_PROOF = {3, 3, 3};

  private TestCluster cluster;
  private UUID coordinator;
  // Whether reports go through recordAtOnce (outside a transaction) instead of report.
  private boolean reportAtOnce;
  private Store store;
  private JobLifecycle lifecycle;
  private Admission admission;

  @BeforeEach
  void twoIdleProversOnThisCoordinator() {
    cluster = TestCluster.withIdleProvers("p1", "p2");
    coordinator = cluster.coordinator();
    store = new Store(cluster.dataSource());
    lifecycle = new JobLifecycle(store, coordinator);
    admission = new Admission(lifecycle, Duration.ofSeconds(30), Duration.ofSeconds(30));
  }

  @Test
  void aJobRunsThroughItsThreePhasesToCompletion() {
    runsThroughItsThreePhases();
  }

  @Test
  void aJobRunsThroughItsThreePhasesWithEachSuccessRecordedInOneStatement() {
    reportAtOnce = true;
    runsThroughItsThreePhases();
  }

  @Test
  void successesThatArriveTogetherAreRecordedInOneStatement() {
    UUID job = launch(3);
    List<OutgoingTask> contributions = admit().toSend();

    JobLifecycle.AtOnce both =
        store.read(
            tx ->
                lifecycle.recordAtOnce(
                    tx,
                    List.of(
                        result("p1", 1, contributions.get(0), Phase.PARTIAL_CONTRIBUTION),
                        result("p2", 1, contributions.get(1), Phase.PARTIAL_CONTRIBUTION))));

    assertEquals(List.of(), both.left());
    assertEquals(
        List.of("p1 PROVE", "p2 PROVE"),
        both.effects().toSend().stream().map(t -> t.proverId() + " " + t.phase()).toList());
    assertEquals("RUNNING PROVE 1", jobState(job));
  }

  @Test
  void reportsTheStatementCannotTakeAreLeftForTheChecksUnchanged() {
    UUID job = launch(3);
    List<OutgoingTask> contributions = admit().toSend();
    OutgoingTask p1Task = contributions.get(0);
    OutgoingTask p2Task = contributions.get(1);
    reportAtOnce = true;
    succeed(p1Task, Phase.PARTIAL_CONTRIBUTION, CONTRIBUTION);
    List<String> before = cluster.events(job);
    cluster.execute("UPDATE provers SET failure_streak = 1 WHERE prover_id = 'p2'");

    // A duplicate, another prover's task, an old session, the wrong shape, a task error, and a
    // success from a prover with a quarantine record (which the checks record, with its streak).
    List<TaskReport> reports =
        List.of(
            result("p1", 1, p1Task, Phase.PARTIAL_CONTRIBUTION),
            result("p1", 1, p2Task, Phase.PARTIAL_CONTRIBUTION),
            result("p2", 0, p2Task, Phase.PARTIAL_CONTRIBUTION),
            result("p2", 1, p2Task, Phase.PROVE),
            new TaskReport(
                "p2",
                1,
                p2Task.taskId().toString(),
                job.toString(),
                null,
                false,
                null,
                null,
                "boom"),
            result("p2", 1, p2Task, Phase.PARTIAL_CONTRIBUTION));
    JobLifecycle.AtOnce atOnce = store.read(tx -> lifecycle.recordAtOnce(tx, reports));

    assertEquals(List.of(0, 1, 2, 3, 4, 5), atOnce.left());
    assertTrue(atOnce.effects().events().isEmpty());
    assertEquals(before, cluster.events(job));
    assertEquals("SUCCEEDED DISPATCHED", taskStates(job));
  }

  private void runsThroughItsThreePhases() {
    UUID job = launch(3);
    List<OutgoingTask> contributions = admit().toSend();
    assertEquals(List.of("p1", "p2"), contributions.stream().map(OutgoingTask::proverId).toList());
    assertEquals("RUNNING PARTIAL_CONTRIBUTION 1", jobState(job));

    assertTrue(
        succeed(contributions.get(0), Phase.PARTIAL_CONTRIBUTION, CONTRIBUTION).toSend().isEmpty(),
        "the phase waits for its last rank");
    List<OutgoingTask> proofs =
        succeed(contributions.get(1), Phase.PARTIAL_CONTRIBUTION, CONTRIBUTION).toSend();
    assertEquals(
        List.of(Phase.PROVE, Phase.PROVE), proofs.stream().map(OutgoingTask::phase).toList());
    assertEquals("RUNNING PROVE 1", jobState(job));
    for (OutgoingTask proof : proofs) {
      assertEquals(
          2,
          ((TaskInputs.PreviousResults) proof.inputs()).results().size(),
          "every rank proves with every contribution");
    }

    // p2 finishes PROVE first and stays reserved to aggregate; p1 is released when it finishes.
    assertTrue(succeed(proofs.get(1), Phase.PROVE, PARTIAL_PROOF).toSend().isEmpty());
    Effects last = succeed(proofs.get(0), Phase.PROVE, PARTIAL_PROOF);
    assertEquals("IDLE", proverState("p1"));
    assertEquals(1, last.toSend().size());
    OutgoingTask aggregate = last.toSend().get(0);
    assertEquals("p2 AGGREGATE", aggregate.proverId() + " " + aggregate.phase());
    assertEquals("RUNNING AGGREGATE 1", jobState(job));

    Effects done = succeed(aggregate, Phase.AGGREGATE, FINAL_PROOF);
    assertTrue(done.admitRequested(), "freed provers may take queued jobs");
    assertEquals("COMPLETED AGGREGATE 1", jobState(job));
    assertArrayEquals(FINAL_PROOF, store.read(tx -> tx.jobs().finalProof(job)).orElseThrow());
    assertEquals("final proof 3 bytes, verified by the test", lastEventDetail(job));
    assertEquals("IDLE IDLE", proverState("p1") + " " + proverState("p2"));
    assertEquals(
        List.of(
            "LAUNCHED",
            "STARTED",
            "TASK_DISPATCHED",
            "TASK_DISPATCHED",
            "TASK_SUCCEEDED",
            "TASK_SUCCEEDED",
            "PHASE_STARTED",
            "TASK_DISPATCHED",
            "TASK_DISPATCHED",
            "TASK_SUCCEEDED",
            "TASK_SUCCEEDED",
            "PHASE_STARTED",
            "TASK_DISPATCHED",
            "TASK_SUCCEEDED",
            "COMPLETED"),
        cluster.events(job));
  }

  @Test
  void aTaskErrorRequeuesTheJobAndTellsTheOtherProverToStop() {
    UUID job = launch(3);
    List<OutgoingTask> contributions = admit().toSend();

    Effects effects = report(contributions.get(0), false, null, null, "out of memory");

    assertEquals("QUEUED PARTIAL_CONTRIBUTION 1", jobState(job));
    assertEquals(
        List.of(
            new Effects.Cancellation(
                "p2",
                job,
                contributions.get(1).taskId(),
                "job attempt 1 failed: prover p1 failed PARTIAL_CONTRIBUTION: out of memory")),
        effects.cancellations());
    assertEquals("IDLE IDLE", proverState("p1") + " " + proverState("p2"));
    assertEquals("FAILED CANCELLED", taskStates(job));
    assertEquals("1 0 0 PROVER_ERROR", failureCounts(job));
  }

  @Test
  void theLastAttemptFailingFailsTheJob() {
    UUID job = launch(1);
    List<OutgoingTask> contributions = admit().toSend();

    report(contributions.get(1), true, Phase.PROVE, PARTIAL_PROOF, "");

    assertEquals("FAILED PARTIAL_CONTRIBUTION 1", jobState(job));
    assertEquals("CANCELLED FAILED", taskStates(job));
    assertTrue(cluster.events(job).contains("FAILED"));
  }

  @Test
  void aLostProverWhoseRankIsNotRecomputedRequeuesTheJobAsAnInfrastructureFailure() {
    lifecycle = new JobLifecycle(store, coordinator, Quarantine.defaults(), Duration.ZERO);
    admission = new Admission(lifecycle, Duration.ofSeconds(30), Duration.ofSeconds(30));
    UUID job = launch(3);
    admit();

    Effects effects =
        store.inTransaction(
            tx -> {
              Effects lost = Effects.none();
              lifecycle.loseProver(tx, "p1", job, "prover p1 vanished", lost);
              return lost;
            });

    assertEquals("QUEUED PARTIAL_CONTRIBUTION 1", jobState(job));
    assertEquals("LOST CANCELLED", taskStates(job));
    assertEquals("0 1 0 PROVER_LOST", failureCounts(job));
    assertEquals(
        List.of("p2"),
        effects.cancellations().stream().map(Effects.Cancellation::proverId).toList());
  }

  @Test
  void anInvalidFinalProofFailsTheAttemptAndHoldsTheProverThatAggregatedIt() {
    UUID job = launch(3);
    OutgoingTask aggregate = runToAggregate();

    Effects effects =
        finalProof(aggregate, ProofVerdict.invalid("reference verifier: truncated proof"));

    assertTrue(effects.admitRequested());
    assertEquals("QUEUED AGGREGATE 1", jobState(job));
    assertEquals("0 0 1 INVALID_PROOF", failureCounts(job));
    assertEquals(
        "FAILED: invalid final proof from prover p2: reference verifier: truncated proof",
        aggregateTaskState(job));
    assertTrue(held("p2"), "the prover that aggregated it is held");
    assertEquals("IDLE IDLE", proverState("p1") + " " + proverState("p2"));
    // The retry needs two provers and only p1 may take work: it waits, then starts without p2.
    assertTrue(admit().toSend().isEmpty());
    assertEquals("QUEUED AGGREGATE 1", jobState(job));
    cluster.execute(
        "INSERT INTO provers (prover_id, state, compute_units, instance_id) VALUES ('p3', 'IDLE', 1, ?)",
        coordinator);
    assertEquals(
        List.of("p1", "p3"), admit().toSend().stream().map(OutgoingTask::proverId).toList());
    assertEquals("RUNNING PARTIAL_CONTRIBUTION 2", jobState(job));
  }

  @Test
  void aFinalProofTheCoordinatorCouldNotVerifyFailsTheAttemptWithoutHoldingTheProver() {
    UUID job = launch(3);
    OutgoingTask aggregate = runToAggregate();

    finalProof(aggregate, ProofVerdict.verifierFailed("the verify command failed (exit 2)"));

    assertEquals("QUEUED AGGREGATE 1", jobState(job));
    assertEquals("0 1 0 VERIFIER_FAILED", failureCounts(job));
    assertEquals(false, held("p2"));
    assertEquals(
        List.of("p1", "p2"), admit().toSend().stream().map(OutgoingTask::proverId).toList());
  }

  @Test
  void aFinalProofWithoutAVerdictNeverCompletesTheJob() {
    UUID job = launch(1);
    OutgoingTask aggregate = runToAggregate();

    lifecycle(tx -> lifecycle.report(tx, finalProofReport(aggregate)));

    assertEquals("FAILED AGGREGATE 1", jobState(job));
    assertEquals("0 1 0 VERIFIER_FAILED", failureCounts(job));
    assertEquals(Optional.empty(), store.read(tx -> tx.jobs().finalProof(job)));
  }

  @Test
  void anUncheckedFinalProofCompletesTheJobWhenVerificationIsOff() {
    UUID job = launch(1);
    OutgoingTask aggregate = runToAggregate();

    finalProof(aggregate, ProofVerdict.unchecked());

    assertEquals("COMPLETED AGGREGATE 1", jobState(job));
    assertTrue(lastEventDetail(job).endsWith("not verified (proofs.verifier = none)"));
  }

  @Test
  void cancelStopsEveryProverOfARunningJobOnce() {
    UUID job = launch(3);
    List<OutgoingTask> contributions = admit().toSend();

    CancelOutcome first = lifecycle.cancel(job, "no longer needed", null, false);
    CancelOutcome second = lifecycle.cancel(job, "again", null, false);

    Effects effects = assertInstanceOf(CancelOutcome.Cancelled.class, first).effects();
    assertEquals(
        contributions.stream().map(task -> task.proverId() + " " + task.taskId()).sorted().toList(),
        effects.cancellations().stream()
            .map(stop -> stop.proverId() + " " + stop.taskId())
            .sorted()
            .toList());
    assertInstanceOf(CancelOutcome.AlreadyFinished.class, second);
    assertEquals("CANCELLED PARTIAL_CONTRIBUTION 1", jobState(job));
    assertEquals("CANCELLED CANCELLED", taskStates(job));
    assertEquals("IDLE IDLE", proverState("p1") + " " + proverState("p2"));
    assertInstanceOf(
        CancelOutcome.NotFound.class, lifecycle.cancel(UUID.randomUUID(), "unknown", null, false));
  }

  @Test
  void staleForgedAndDuplicateReportsChangeNothing() {
    UUID job = launch(3);
    List<OutgoingTask> contributions = admit().toSend();
    OutgoingTask p1Task = contributions.get(0);
    succeed(p1Task, Phase.PARTIAL_CONTRIBUTION, CONTRIBUTION);
    List<String> before = cluster.events(job);

    // A duplicate, another prover's task, an old session, a task id that names nothing.
    lifecycle(tx -> lifecycle.report(tx, result("p1", 1, p1Task, Phase.PARTIAL_CONTRIBUTION)));
    lifecycle(
        tx ->
            lifecycle.report(
                tx, result("p1", 1, contributions.get(1), Phase.PARTIAL_CONTRIBUTION)));
    lifecycle(
        tx ->
            lifecycle.report(
                tx, result("p2", 0, contributions.get(1), Phase.PARTIAL_CONTRIBUTION)));
    lifecycle(
        tx ->
            lifecycle.report(
                tx,
                new TaskReport(
                    "p2",
                    1,
                    "not-a-task",
                    job.toString(),
                    null,
                    true,
                    Phase.PARTIAL_CONTRIBUTION,
                    CONTRIBUTION,
                    "")));

    assertEquals(before, cluster.events(job));
    assertEquals("RUNNING PARTIAL_CONTRIBUTION 1", jobState(job));
    assertEquals("SUCCEEDED DISPATCHED", taskStates(job));
  }

  @Test
  void aRelaunchWithTheSameClientRequestIdFindsTheFirstJob() {
    NewJob request = new NewJob("block", 2, "/input", Optional.of("request-1"), 3);
    UUID job = assertInstanceOf(LaunchOutcome.Created.class, lifecycle.launch(request)).jobId();

    assertEquals(new LaunchOutcome.Existing(job), lifecycle.launch(request));
    assertEquals(
        new LaunchOutcome.Conflict(job),
        lifecycle.launch(new NewJob("block", 4, "/input", Optional.of("request-1"), 3)));
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private UUID launch(int maxAttempts) {
    NewJob job = new NewJob("block", 2, "/input", Optional.empty(), maxAttempts);
    return assertInstanceOf(LaunchOutcome.Created.class, lifecycle.launch(job)).jobId();
  }

  private Effects admit() {
    return store.inTransaction(admission::admit);
  }

  private Effects succeed(OutgoingTask task, Phase shape, byte[] result) {
    return report(task, true, shape, result, "");
  }

  /** A report as it reaches the lifecycle: final proofs with a VALID verdict. */
  private Effects report(
      OutgoingTask task, boolean success, Phase shape, byte[] result, String error) {
    TaskReport report =
        new TaskReport(
                task.proverId(),
                1,
                task.taskId().toString(),
                task.jobId().toString(),
                task.phase(),
                success,
                shape,
                result,
                error)
            .withVerdict(ProofVerdict.valid("verified by the test"));
    if (!reportAtOnce) {
      return lifecycle(tx -> lifecycle.report(tx, report));
    }
    JobLifecycle.AtOnce atOnce = store.read(tx -> lifecycle.recordAtOnce(tx, List.of(report)));
    assertEquals(List.of(), atOnce.left(), "the statement took the report");
    return atOnce.effects();
  }

  /** The final proof of {@code aggregate}, with the given verdict. */
  private Effects finalProof(OutgoingTask aggregate, ProofVerdict verdict) {
    return lifecycle(tx -> lifecycle.report(tx, finalProofReport(aggregate).withVerdict(verdict)));
  }

  private static TaskReport finalProofReport(OutgoingTask aggregate) {
    return new TaskReport(
        aggregate.proverId(),
        1,
        aggregate.taskId().toString(),
        aggregate.jobId().toString(),
        Phase.AGGREGATE,
        true,
        Phase.AGGREGATE,
        FINAL_PROOF,
        "");
  }

  /** Runs a launched job's first attempt up to its AGGREGATE task, which p2 gets. */
  private OutgoingTask runToAggregate() {
    List<OutgoingTask> contributions = admit().toSend();
    succeed(contributions.get(0), Phase.PARTIAL_CONTRIBUTION, CONTRIBUTION);
    List<OutgoingTask> proofs =
        succeed(contributions.get(1), Phase.PARTIAL_CONTRIBUTION, CONTRIBUTION).toSend();
    succeed(proofs.get(1), Phase.PROVE, PARTIAL_PROOF);
    return succeed(proofs.get(0), Phase.PROVE, PARTIAL_PROOF).toSend().get(0);
  }

  private boolean held(String proverId) {
    return "true"
        .equals(
            cluster.text(
                "SELECT coalesce(held_until > now(), false)::text FROM provers WHERE prover_id = ?",
                proverId));
  }

  private String aggregateTaskState(UUID job) {
    return cluster.text(
        "SELECT state || ': ' || error_message FROM tasks WHERE job_id = ? AND task_type = 'AGGREGATE'",
        job);
  }

  private static TaskReport result(String proverId, long epoch, OutgoingTask task, Phase shape) {
    return new TaskReport(
        proverId,
        epoch,
        task.taskId().toString(),
        task.jobId().toString(),
        null,
        true,
        shape,
        CONTRIBUTION,
        "");
  }

  private Effects lifecycle(Function<Tx, Effects> transition) {
    return store.inTransaction(transition);
  }

  private String jobState(UUID job) {
    return cluster.text(
        "SELECT state || ' ' || phase || ' ' || attempt FROM jobs WHERE job_id = ?", job);
  }

  private String proverState(String proverId) {
    return cluster.text("SELECT state FROM provers WHERE prover_id = ?", proverId);
  }

  private String taskStates(UUID job) {
    List<String> states =
        cluster.texts(
            """
            SELECT state FROM tasks WHERE job_id = ? AND task_type = 'PARTIAL_CONTRIBUTION' ORDER BY rank_id""",
            job);
    return String.join(" ", states);
  }

  private String failureCounts(UUID job) {
    return cluster.text(
        "SELECT task_failures || ' ' || infra_failures || ' ' || invalid_proofs || ' ' || error_code FROM jobs WHERE job_id = ?",
        job);
  }

  private String lastEventDetail(UUID job) {
    return cluster.text(
        "SELECT detail FROM job_events WHERE job_id = ? ORDER BY event_id DESC LIMIT 1", job);
  }
}
