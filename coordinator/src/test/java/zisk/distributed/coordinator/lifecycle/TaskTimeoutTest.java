package zisk.distributed.coordinator.lifecycle;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import zisk.distributed.coordinator.config.TaskTimeouts;
import zisk.distributed.coordinator.scheduling.Admission;
import zisk.distributed.coordinator.store.DeadlineDao.OverdueTask;
import zisk.distributed.coordinator.store.JobTimeouts;
import zisk.distributed.coordinator.store.NewJob;
import zisk.distributed.coordinator.store.Phase;
import zisk.distributed.coordinator.store.Store;
import zisk.distributed.coordinator.store.TaskDao.OutgoingTask;
import zisk.distributed.coordinator.testing.TestCluster;

/**
 * The deadline transition driven directly against a real PostgreSQL, as in {@link
 * JobLifecycleTest}: two provers, p1 and p2, hold streams on this coordinator.
 */
class TaskTimeoutTest {

  private static final TaskTimeouts CONFIGURED = TaskTimeouts.DEFAULT;

  private TestCluster cluster;
  private UUID coordinator;
  private Store store;
  private JobLifecycle lifecycle;
  private TaskTimeout timeout;
  private Admission admission;

  @BeforeEach
  void twoIdleProversOnThisCoordinator() {
    cluster = TestCluster.withIdleProvers("p1", "p2");
    coordinator = cluster.coordinator();
    store = new Store(cluster.dataSource());
    // No rank replacement wait: these tests are about the timeout itself and the attempt it ends
    // when the rank is not recomputed (RankRecoveryTest covers recomputing it).
    lifecycle = new JobLifecycle(store, coordinator, Quarantine.defaults(), Duration.ZERO);
    timeout = new TaskTimeout(lifecycle);
    admission = new Admission(lifecycle, Duration.ofSeconds(30), Duration.ofSeconds(30));
  }

  @Test
  void aTaskWithinItsLimitIsNotOverdue() {
    launch(JobTimeouts.NONE);
    admit();

    assertEquals(List.of(), overdue());
  }

  @Test
  void aTaskPastItsLimitIsTimedOutCancelledOnItsProverAndCountedApart() {
    // given: a job whose contributions may run 1 s, both dispatched
    UUID job = launch(new JobTimeouts(1, null, null));
    List<OutgoingTask> contributions = admit().toSend();

    // when: a second has passed, in the database's time
    OverdueTask late = awaitOverdue().get(0);
    Effects effects = store.inTransaction(tx -> timed(tx, late));

    // then: the task is TIMED_OUT, its prover told to drop it, and its rank lost (not recomputed
    // here: the attempt is re-queued, the other prover stopped)
    assertEquals(job, late.jobId());
    assertEquals(1, late.limitSeconds());
    OutgoingTask timedOut =
        contributions.stream().filter(t -> t.taskId().equals(late.taskId())).findFirst().get();
    Effects.Cancellation cancel = effects.cancellations().get(0);
    assertEquals(late.proverId(), cancel.proverId());
    assertEquals(timedOut.taskId(), cancel.taskId());
    assertTrue(cancel.reason().contains("ran past its time limit of 1 s"), cancel.reason());
    assertEquals(2, effects.cancellations().size(), "the other prover of the attempt is stopped");
    assertEquals("TIMED_OUT", taskState(late.taskId()));
    assertEquals("QUEUED", jobState(job));
    assertEquals("1 0 0 0 TASK_TIMED_OUT", counts(job));
    assertTrue(cluster.events(job).contains("TASK_TIMED_OUT"), cluster.events(job).toString());
    assertEquals(List.of(), overdue());
  }

  @Test
  void timingOutTwiceCountsOnce() {
    UUID job = launch(new JobTimeouts(1, null, null));
    admit();
    List<OverdueTask> late = awaitOverdue();
    store.inTransaction(tx -> timed(tx, late.get(0)));
    List<String> eventsBefore = cluster.events(job);

    // Another coordinator's sweep read the same overdue tasks before the first one committed.
    Effects again = store.inTransaction(tx -> timed(tx, late.get(0)));
    Effects other = store.inTransaction(tx -> timed(tx, late.get(1)));

    assertTrue(again.cancellations().isEmpty() && other.cancellations().isEmpty());
    assertEquals("1 0 0 0 TASK_TIMED_OUT", counts(job));
    assertEquals(eventsBefore, cluster.events(job));
  }

  @Test
  void aResultAfterTheTimeoutIsIgnoredWithItsReason() {
    launch(new JobTimeouts(1, null, null));
    List<OutgoingTask> contributions = admit().toSend();
    OverdueTask late = awaitOverdue().get(0);
    store.inTransaction(tx -> timed(tx, late));
    OutgoingTask task =
        contributions.stream().filter(t -> t.taskId().equals(late.taskId())).findFirst().get();

    Effects effects = store.inTransaction(tx -> lifecycle.report(tx, result(task, task.taskId())));

    assertEquals(1, effects.ignored().size());
    assertTrue(
        effects.ignored().get(0).reason().contains("is already TIMED_OUT"),
        effects.ignored().get(0).reason());
  }

  @Test
  void aSeedEraResultWithoutTaskIdCountsForTheDispatchedTaskOfItsPhase() {
    UUID job = launch(JobTimeouts.NONE);
    List<OutgoingTask> contributions = admit().toSend();
    OutgoingTask first = contributions.get(0);

    // A PROVE result for a job whose task is a contribution is not matched...
    Effects wrongPhase =
        store.inTransaction(tx -> lifecycle.report(tx, seedResult(first, Phase.PROVE)));
    // ...a contribution is.
    Effects right =
        store.inTransaction(
            tx -> lifecycle.report(tx, seedResult(first, Phase.PARTIAL_CONTRIBUTION)));

    assertEquals(1, wrongPhase.ignored().size());
    assertTrue(
        wrongPhase.ignored().get(0).reason().contains("no running PROVE task of job"),
        wrongPhase.ignored().get(0).reason());
    assertTrue(right.ignored().isEmpty());
    assertEquals("SUCCEEDED", taskState(first.taskId()));
    assertEquals("RUNNING", jobState(job));
  }

  @Test
  void aProverErrorWithoutTaskIdFailsTheProversTaskOfThatJob() {
    UUID job = launch(JobTimeouts.NONE);
    OutgoingTask first = admit().toSend().get(0);

    Effects effects =
        store.inTransaction(
            tx ->
                lifecycle.report(
                    tx,
                    new TaskReport(
                        first.proverId(),
                        1,
                        "",
                        job.toString(),
                        null,
                        false,
                        null,
                        null,
                        "prover error: GPU lost")));

    assertTrue(effects.ignored().isEmpty());
    assertEquals("FAILED", taskState(first.taskId()));
    assertEquals("0 1 0 0 PROVER_ERROR", counts(job));
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private Effects timed(zisk.distributed.coordinator.store.Tx tx, OverdueTask task) {
    Effects effects = Effects.none();
    timeout.timeOut(tx, task, effects);
    return effects;
  }

  private UUID launch(JobTimeouts timeouts) {
    NewJob job = new NewJob("block", 2, "/input", Optional.empty(), 3, Optional.empty(), timeouts);
    return assertInstanceOf(LaunchOutcome.Created.class, lifecycle.launch(job)).jobId();
  }

  private Effects admit() {
    return store.inTransaction(admission::admit);
  }

  private List<OverdueTask> overdue() {
    return store.read(
        tx ->
            tx.deadlines()
                .overdue(
                    CONFIGURED.partialContribution(),
                    CONFIGURED.prove(),
                    CONFIGURED.aggregate(),
                    100));
  }

  private List<OverdueTask> awaitOverdue() {
    return await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(this::overdue, tasks -> tasks.size() == 2);
  }

  private static TaskReport result(OutgoingTask task, UUID taskId) {
    return new TaskReport(
        task.proverId(),
        1,
        taskId.toString(),
        task.jobId().toString(),
        null,
        true,
        Phase.PARTIAL_CONTRIBUTION,
        new byte[] {1},
        "");
  }

  /** As a seed-era worker sends it: no task id, the task type it claims, a result of its shape. */
  private static TaskReport seedResult(OutgoingTask task, Phase phase) {
    return new TaskReport(
        task.proverId(), 1, "", task.jobId().toString(), phase, true, phase, new byte[] {1}, "");
  }

  private String taskState(UUID taskId) {
    return cluster.text("SELECT state FROM tasks WHERE task_id = ?", taskId);
  }

  private String jobState(UUID job) {
    return cluster.text("SELECT state FROM jobs WHERE job_id = ?", job);
  }

  /** timeouts, task_failures, infra_failures, invalid_proofs and the error code. */
  private String counts(UUID job) {
    return cluster.text(
        "SELECT timeouts || ' ' || task_failures || ' ' || infra_failures || ' ' || invalid_proofs || ' ' || error_code FROM jobs WHERE job_id = ?",
        job);
  }
}
