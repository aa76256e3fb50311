package zisk.distributed.coordinator.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import zisk.distributed.coordinator.scheduling.Admission;
import zisk.distributed.coordinator.store.Job;
import zisk.distributed.coordinator.store.NewJob;
import zisk.distributed.coordinator.store.Phase;
import zisk.distributed.coordinator.store.Store;
import zisk.distributed.coordinator.store.TaskDao.OutgoingTask;
import zisk.distributed.coordinator.testing.TestCluster;
import zisk.distributed.coordinator.verification.ProofVerdict;

/**
 * Lost ranks recomputed, transition by transition against a real PostgreSQL: a job of 2 compute
 * units runs on p1 and p2 (1 unit each); p3 (1 unit) is the idle spare that replaces a lost rank.
 */
class RankRecoveryTest {

  private static final byte[] CONTRIBUTION = {1};
  private static final byte[] PARTIAL_PROOF = {2};
  private static final byte[] FINAL_PROOF = {3, 3, 3};

  private TestCluster cluster;
  private UUID coordinator;
  private Store store;
  private JobLifecycle lifecycle;
  private Admission admission;

  @BeforeEach
  void threeIdleProversOnThisCoordinator() {
    cluster = TestCluster.withIdleProvers("p1", "p2", "p3");
    coordinator = cluster.coordinator();
    store = new Store(cluster.dataSource());
    useLifecycle(Duration.ofSeconds(30));
  }

  @Test
  void aRankLostInContributionIsRecomputedOnTheSpareAndTheJobCompletesInItsFirstAttempt() {
    UUID job = launch();
    List<OutgoingTask> contributions = admit().toSend();
    assertEquals(List.of("p1", "p2"), provers(contributions));

    Effects lost = lose("p1", job);
    assertTrue(lost.admitRequested(), "the lost rank waits for the next admission round");
    assertEquals("RUNNING PARTIAL_CONTRIBUTION 1", jobState(job));
    assertEquals("DISCONNECTED", proverState("p1"), "the lost prover no longer works for the job");

    OutgoingTask replacement = single(admit().toSend());
    assertEquals("p3 PARTIAL_CONTRIBUTION 0", describe(replacement));
    assertTrue(
        succeed(contributions.get(1), CONTRIBUTION).toSend().isEmpty(),
        "the lost rank still counts as unfinished");
    List<OutgoingTask> proofs = succeed(replacement, CONTRIBUTION).toSend();
    assertEquals(List.of("p3 PROVE 0", "p2 PROVE 1"), proofs.stream().map(this::describe).toList());

    proveAggregateAndComplete(proofs);
    assertEquals("COMPLETED AGGREGATE 1", jobState(job));
    Job status = store.read(tx -> tx.jobs().find(job)).orElseThrow();
    assertEquals(List.of("p3", "p2"), status.assignedProvers());
    assertEquals(
        List.of("rank 0: prover p1 lost in PARTIAL_CONTRIBUTION, recomputed on p3"),
        status.rankReplacements());
    assertTrue(
        cluster.events(job).containsAll(List.of("PROVER_LOST", "RANK_LOST", "RANK_REPLACED")));
    assertTrue(!cluster.events(job).contains("REQUEUED"), cluster.events(job).toString());
  }

  @Test
  void aRankLostInProveIsRecomputedAndProvedWithTheStoredChallenges() {
    UUID job = launch();
    List<OutgoingTask> proofs = runToProve();

    lose("p1", job);
    OutgoingTask replacement = single(admit().toSend());
    assertEquals("p3 PARTIAL_CONTRIBUTION 0", describe(replacement));
    assertEquals("RUNNING PROVE 1", jobState(job));

    OutgoingTask prove = single(succeed(replacement, CONTRIBUTION).toSend());
    assertEquals("p3 PROVE 0", describe(prove));
    assertEquals(
        2,
        store.read(tx -> tx.dispatch().results(job, 1, Phase.PARTIAL_CONTRIBUTION)).size(),
        "one stored contribution per rank for the PROVE request");
    assertTrue(cluster.events(job).contains("RANK_RECOMPUTED"));

    proveAggregateAndComplete(List.of(prove, proofs.get(1)));
    assertEquals("COMPLETED AGGREGATE 1", jobState(job));
    assertEquals(
        List.of("p3", "p2"), store.read(tx -> tx.jobs().find(job)).orElseThrow().assignedProvers());
  }

  @Test
  void aContributionMadeBeforeTheLossMustBeMatchedBeforeThePhaseCompletes() {
    UUID job = launch();
    List<OutgoingTask> contributions = admit().toSend();
    succeed(contributions.get(0), CONTRIBUTION);

    lose("p1", job); // its witness is gone: rank 0 is unfinished again
    assertTrue(succeed(contributions.get(1), CONTRIBUTION).toSend().isEmpty());
    OutgoingTask replacement = single(admit().toSend());

    List<OutgoingTask> proofs = succeed(replacement, CONTRIBUTION).toSend();
    assertEquals(List.of("p3 PROVE 0", "p2 PROVE 1"), proofs.stream().map(this::describe).toList());
    assertEquals("RUNNING PROVE 1", jobState(job));
  }

  @Test
  void aDifferingContributionRestartsTheAttempt() {
    UUID job = launch();
    runToProve();
    lose("p1", job);
    OutgoingTask replacement = single(admit().toSend());

    Effects effects = succeed(replacement, new byte[] {9});

    assertEquals("QUEUED PROVE 1", jobState(job));
    assertEquals("PROVER_LOST", errorCode(job));
    assertTrue(cluster.events(job).containsAll(List.of("RANK_DIFFERS", "REQUEUED")));
    assertEquals(
        List.of("p2", "p3"),
        effects.cancellations().stream().map(Effects.Cancellation::proverId).sorted().toList());
    assertEquals(
        "DISCONNECTED IDLE IDLE",
        proverState("p1") + " " + proverState("p2") + " " + proverState("p3"));
  }

  @Test
  void noReplacementWithinTheWaitRestartsTheAttempt() {
    cluster.execute("DELETE FROM provers WHERE prover_id = 'p3'");
    UUID job = launch();
    admit();
    lose("p1", job);
    assertTrue(admit().toSend().isEmpty(), "no idle prover");
    assertEquals("RUNNING PARTIAL_CONTRIBUTION 1", jobState(job));

    cluster.execute("UPDATE lost_ranks SET lost_at = now() - interval '31 seconds'");
    Effects effects = admit();

    assertEquals("QUEUED PARTIAL_CONTRIBUTION 1", jobState(job));
    assertEquals("PROVER_LOST", errorCode(job));
    assertEquals(
        List.of("p2"),
        effects.cancellations().stream().map(Effects.Cancellation::proverId).toList());
    assertTrue(
        errorMessage(job).contains("no idle prover with 1 compute units within 30 s"),
        errorMessage(job));
  }

  @Test
  void aLostProverStillInItsOldSessionNeverTakesItsRankBack() {
    cluster.execute("DELETE FROM provers WHERE prover_id = 'p3'");
    UUID job = launch();
    admit();
    // Lost while its stream stays open (a hung prover past a deadline): it is idle, not renewed.
    store.inTransaction(
        tx -> {
          Effects effects = Effects.none();
          lifecycle.loseProver(tx, "p1", job, "prover p1 hung", effects);
          return effects;
        });
    assertEquals("IDLE", proverState("p1"));

    assertTrue(admit().toSend().isEmpty(), "p1 is not its own replacement");

    // Once it registers again (a new session, without the job's state) it may take the rank.
    cluster.execute("UPDATE provers SET connected_at = now() WHERE prover_id = 'p1'");
    assertEquals("p1 PARTIAL_CONTRIBUTION 0", describe(single(admit().toSend())));
    assertEquals("RUNNING PARTIAL_CONTRIBUTION 1", jobState(job));
  }

  @Test
  void aTaskPastItsDeadlineCostsOnlyItsRankWhichNeverGoesBackToTheSameSession() {
    UUID job = launch();
    OutgoingTask late = admit().toSend().get(0);

    store.inTransaction(
        tx -> {
          Effects effects = Effects.none();
          tx.deadlines().timeOut(late.taskId(), "ran past its time limit");
          lifecycle.loseProver(
              tx, "p1", job, "ran past its time limit", AttemptFailure.TIMED_OUT, effects);
          return effects;
        });

    assertEquals("RUNNING PARTIAL_CONTRIBUTION 1", jobState(job));
    assertEquals("IDLE", proverState("p1"), "still connected, and still in the same session");
    assertEquals("p3 PARTIAL_CONTRIBUTION 0", describe(single(admit().toSend())));
  }

  @Test
  void aZeroWaitRestartsTheAttemptAtOnce() {
    useLifecycle(Duration.ZERO);
    UUID job = launch();
    admit();

    lose("p1", job);

    assertEquals("QUEUED PARTIAL_CONTRIBUTION 1", jobState(job));
    assertTrue(!cluster.events(job).contains("RANK_LOST"));
  }

  @Test
  void aProverLostWhileAggregatingRestartsTheAttempt() {
    UUID job = launch();
    List<OutgoingTask> proofs = runToProve();
    succeed(proofs.get(1), PARTIAL_PROOF);
    OutgoingTask aggregate = single(succeed(proofs.get(0), PARTIAL_PROOF).toSend());

    lose(aggregate.proverId(), job);

    assertEquals("QUEUED AGGREGATE 1", jobState(job));
    assertEquals("PROVER_LOST", errorCode(job));
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private void useLifecycle(Duration wait) {
    lifecycle = new JobLifecycle(store, coordinator, Quarantine.defaults(), wait);
    admission = new Admission(lifecycle, Duration.ofSeconds(30), Duration.ofSeconds(30));
  }

  private UUID launch() {
    NewJob job = new NewJob("block", 2, "/input", Optional.empty(), 3);
    return assertInstanceOf(LaunchOutcome.Created.class, lifecycle.launch(job)).jobId();
  }

  private Effects admit() {
    return store.inTransaction(admission::admit);
  }

  /** As the sweep settles a prover that is gone: its work lost, its row DISCONNECTED. */
  private Effects lose(String proverId, UUID job) {
    return store.inTransaction(
        tx -> {
          Effects effects = Effects.none();
          lifecycle.loseProver(tx, proverId, job, "prover " + proverId + " vanished", effects);
          tx.provers().disconnect(proverId);
          return effects;
        });
  }

  /** Both contributions in: answers the PROVE tasks (p1 rank 0, p2 rank 1). */
  private List<OutgoingTask> runToProve() {
    List<OutgoingTask> contributions = admit().toSend();
    succeed(contributions.get(0), CONTRIBUTION);
    return succeed(contributions.get(1), CONTRIBUTION).toSend();
  }

  private void proveAggregateAndComplete(List<OutgoingTask> proofs) {
    assertTrue(succeed(proofs.get(1), PARTIAL_PROOF).toSend().isEmpty());
    OutgoingTask aggregate = single(succeed(proofs.get(0), PARTIAL_PROOF).toSend());
    assertEquals(Phase.AGGREGATE, aggregate.phase());
    succeed(aggregate, FINAL_PROOF);
  }

  private Effects succeed(OutgoingTask task, byte[] result) {
    return store.inTransaction(
        tx ->
            lifecycle.report(
                tx,
                new TaskReport(
                        task.proverId(),
                        1,
                        task.taskId().toString(),
                        task.jobId().toString(),
                        task.phase(),
                        true,
                        task.phase(),
                        result,
                        "")
                    .withVerdict(ProofVerdict.valid("verified by the test"))));
  }

  private static OutgoingTask single(List<OutgoingTask> tasks) {
    assertEquals(1, tasks.size(), tasks.toString());
    return tasks.get(0);
  }

  private static List<String> provers(List<OutgoingTask> tasks) {
    return tasks.stream().map(OutgoingTask::proverId).toList();
  }

  private String describe(OutgoingTask task) {
    return task.proverId() + " " + task.phase() + " " + task.rankId();
  }

  private String jobState(UUID job) {
    return cluster.text(
        "SELECT state || ' ' || phase || ' ' || attempt FROM jobs WHERE job_id = ?", job);
  }

  private String errorCode(UUID job) {
    return cluster.text("SELECT error_code FROM jobs WHERE job_id = ?", job);
  }

  private String errorMessage(UUID job) {
    return cluster.text("SELECT error_message FROM jobs WHERE job_id = ?", job);
  }

  private String proverState(String proverId) {
    return cluster.text("SELECT state FROM provers WHERE prover_id = ?", proverId);
  }
}
