package zisk.distributed.coordinator.lifecycle;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import zisk.distributed.coordinator.config.QuarantinePolicy;
import zisk.distributed.coordinator.scheduling.Admission;
import zisk.distributed.coordinator.store.NewJob;
import zisk.distributed.coordinator.store.Phase;
import zisk.distributed.coordinator.store.Prover;
import zisk.distributed.coordinator.store.Store;
import zisk.distributed.coordinator.store.TaskDao.OutgoingTask;
import zisk.distributed.coordinator.testing.SettableClock;
import zisk.distributed.coordinator.testing.TestCluster;
import zisk.distributed.coordinator.verification.ProofVerdict;

/**
 * Quarantine and busy answers, driven transition by transition against a real PostgreSQL, on a
 * clock the test moves. One prover, p1, with one compute unit, holds its stream here.
 */
class QuarantineTest {

  private static final QuarantinePolicy POLICY =
      new QuarantinePolicy(3, Duration.ofSeconds(60), Duration.ofSeconds(200));

  private TestCluster cluster;
  private UUID coordinator;
  private final SettableClock clock =
      new SettableClock(Instant.now().truncatedTo(ChronoUnit.MILLIS));
  private Store store;
  private JobLifecycle lifecycle;
  private Admission admission;

  @BeforeEach
  void oneIdleProver() {
    cluster = TestCluster.withIdleProvers("p1");
    coordinator = cluster.coordinator();
    store = new Store(cluster.dataSource());
    lifecycle =
        new JobLifecycle(
            store, coordinator, new Quarantine(POLICY, Duration.ofSeconds(600), clock));
    admission = new Admission(lifecycle, Duration.ofSeconds(30), Duration.ofSeconds(30), clock);
  }

  @Test
  void threeFailuresInARowQuarantineTheProverUntilItsCoolDownEnds() {
    // given: p1 fails its first two tasks
    UUID job = launch(5);
    fail(admitOne());
    fail(admitOne());
    assertEquals("2 0 null", record("p1"));
    assertEquals(Optional.empty(), quarantinedUntil());

    // when: it fails a third in a row
    fail(admitOne());

    // then: no new work for 60 s, and ProversList's query says why and until when
    assertEquals(Optional.of(clock.instant().plusSeconds(60)), quarantinedUntil());
    Prover listed = listed("p1");
    assertTrue(
        listed.quarantineReason().startsWith("task failed (3 fault(s) in a row): prover p1 failed"),
        listed.quarantineReason());
    assertEquals(3, listed.failureStreak());
    assertEquals(1, listed.quarantineCount());
    assertTrue(admit().toSend().isEmpty(), "a quarantined prover gets no new work");
    assertEquals("QUEUED 3", jobState(job));

    // and: once the cool-down is over it is admitted again
    clock.advance(Duration.ofSeconds(61));
    assertEquals(null, listed("p1").heldUntil());
    assertEquals(null, listed("p1").quarantineReason());
    assertEquals("p1", admitOne().proverId());
    assertEquals("RUNNING 4", jobState(job));
  }

  @Test
  void theCoolDownDoublesOnRepeatUpToItsCap() {
    launch(20);
    for (int i = 0; i < 3; i++) {
      fail(admitOne());
    }
    assertEquals(Optional.of(clock.instant().plusSeconds(60)), quarantinedUntil());

    // a fourth failure in a row, after the first cool-down: quarantined again, twice as long
    clock.advance(Duration.ofSeconds(61));
    fail(admitOne());
    assertEquals(Optional.of(clock.instant().plusSeconds(120)), quarantinedUntil());
    assertEquals("4 2", record("p1").substring(0, 3));

    // and again: 240 s, capped at 200
    clock.advance(Duration.ofSeconds(121));
    fail(admitOne());
    assertEquals(Optional.of(clock.instant().plusSeconds(200)), quarantinedUntil());
  }

  @Test
  void oneSuccessClearsTheStreakAndTheDoubling() {
    UUID job = launch(20);
    for (int i = 0; i < 3; i++) {
      fail(admitOne());
    }
    clock.advance(Duration.ofSeconds(61));

    // when: its next task succeeds
    succeed(admitOne());

    // then: its record is clean, and three more failures start again at the base cool-down
    assertEquals("0 0 null", record("p1"));
    assertInstanceOf(
        CancelOutcome.Cancelled.class, lifecycle.cancel(job, "the test is done", null, false));
    launch(20);
    fail(admitOne());
    fail(admitOne());
    assertEquals(
        Optional.empty(), quarantinedUntil(), "two failures after a success are not three");
    fail(admitOne());
    assertEquals(Optional.of(clock.instant().plusSeconds(60)), quarantinedUntil());
  }

  @Test
  void anInvalidFinalProofQuarantinesAtOnceForTheInvalidProofHold() {
    // given: p1 runs a one-rank job up to its AGGREGATE task
    launch(3);
    OutgoingTask contribution = admitOne();
    OutgoingTask prove = report(contribution, success(contribution, Phase.PARTIAL_CONTRIBUTION));
    OutgoingTask aggregate = report(prove, success(prove, Phase.PROVE));

    // when: its final proof is invalid
    report(
        aggregate,
        success(aggregate, Phase.AGGREGATE)
            .withVerdict(ProofVerdict.invalid("reference verifier: truncated proof")));

    // then: one fault, quarantined at once for the 600 s hold (longer than the 60 s cool-down)
    assertEquals(Optional.of(clock.instant().plusSeconds(600)), quarantinedUntil());
    assertTrue(
        listed("p1").quarantineReason().startsWith("invalid final proof (1 fault(s) in a row)"),
        listed("p1").quarantineReason());
    assertEquals(1, listed("p1").failureStreak());
  }

  @Test
  void aBusyAnswerNeitherConsumesAnAttemptNorCountsTowardQuarantineAndTheTaskGoesOutAgain() {
    // given: a job with one attempt only
    UUID job = launch(1);
    OutgoingTask task = admitOne();

    // when: p1 answers that it is busy with another task, twice
    for (int i = 0; i < 2; i++) {
      report(task, busy(task));
      assertEquals("RUNNING 1", jobState(job));
      assertEquals("ASSIGNED", taskState(task));
      OutgoingTask again = awaitRedispatch();
      assertEquals(task.taskId(), again.taskId(), "the same task goes out again");
    }

    // then: no attempt spent, nothing counted against the prover, the refusals are on record
    assertEquals("0 0 null", record("p1"));
    assertEquals("0 0 0", failureCounts(job));
    assertEquals(
        List.of(
            "LAUNCHED",
            "STARTED",
            "TASK_DISPATCHED",
            "TASK_BUSY",
            "TASK_DISPATCHED",
            "TASK_BUSY",
            "TASK_DISPATCHED"),
        cluster.events(job));

    // and: the task's result, once the prover is free, counts
    succeed(task);
    assertEquals("SUCCEEDED", taskState(task));
  }

  @Test
  void aBusyTaskIsNotSentAgainBeforeItsPause() {
    launch(3);
    OutgoingTask task = admitOne();

    report(task, busy(task));

    assertEquals(
        List.of(),
        store.inTransaction(tx -> tx.dispatch().claimAssigned(new String[] {"p1"}, coordinator)),
        "a prover that just said busy is not asked again at once");
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private UUID launch(int maxAttempts) {
    NewJob job = new NewJob("block", 1, "/input", Optional.empty(), maxAttempts);
    return assertInstanceOf(LaunchOutcome.Created.class, lifecycle.launch(job)).jobId();
  }

  private Effects admit() {
    return store.inTransaction(admission::admit);
  }

  private OutgoingTask admitOne() {
    List<OutgoingTask> tasks = admit().toSend();
    assertEquals(1, tasks.size(), "one task for p1");
    return tasks.get(0);
  }

  private void fail(OutgoingTask task) {
    report(
        task,
        new TaskReport("p1", 1, id(task), job(task), null, false, null, null, "out of memory"));
  }

  private void succeed(OutgoingTask task) {
    report(
        task,
        new TaskReport(
            "p1",
            1,
            id(task),
            job(task),
            null,
            true,
            Phase.PARTIAL_CONTRIBUTION,
            new byte[] {1},
            ""));
  }

  private static TaskReport busy(OutgoingTask task) {
    return new TaskReport(
            "p1",
            1,
            id(task),
            job(task),
            null,
            false,
            null,
            null,
            "prover busy with task x of job y")
        .withBusy(true);
  }

  /** Reports on a task; answers the next task it sent, if any. */
  private OutgoingTask report(OutgoingTask task, TaskReport report) {
    List<OutgoingTask> next = store.inTransaction(tx -> lifecycle.report(tx, report)).toSend();
    return next.isEmpty() ? null : next.get(0);
  }

  private static TaskReport success(OutgoingTask task, Phase shape) {
    return new TaskReport("p1", 1, id(task), job(task), null, true, shape, new byte[] {1}, "")
        .withVerdict(ProofVerdict.valid("test"));
  }

  /** The poll's claim of ASSIGNED tasks, until the busy pause has passed. */
  private OutgoingTask awaitRedispatch() {
    return await("the busy task to go out again")
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                store.inTransaction(
                    tx -> tx.dispatch().claimAssigned(new String[] {"p1"}, coordinator)),
            claimed -> claimed.size() == 1)
        .get(0);
  }

  private static String id(OutgoingTask task) {
    return task.taskId().toString();
  }

  private static String job(OutgoingTask task) {
    return task.jobId().toString();
  }

  private Optional<Instant> quarantinedUntil() {
    return Optional.ofNullable(listed("p1").heldUntil());
  }

  private Prover listed(String proverId) {
    return store.read(tx -> tx.proverList().list(false, null, 10, clock.instant())).stream()
        .filter(prover -> prover.proverId().equals(proverId))
        .findFirst()
        .orElseThrow();
  }

  private String record(String proverId) {
    return cluster.text(
        "SELECT failure_streak || ' ' || quarantine_count || ' ' || coalesce(quarantine_reason, 'null') FROM provers WHERE prover_id = ?",
        proverId);
  }

  private String jobState(UUID job) {
    return cluster.text("SELECT state || ' ' || attempt FROM jobs WHERE job_id = ?", job);
  }

  private String taskState(OutgoingTask task) {
    return cluster.text("SELECT state FROM tasks WHERE task_id = ?", task.taskId());
  }

  private String failureCounts(UUID job) {
    return cluster.text(
        "SELECT task_failures || ' ' || infra_failures || ' ' || invalid_proofs FROM jobs WHERE job_id = ?",
        job);
  }
}
