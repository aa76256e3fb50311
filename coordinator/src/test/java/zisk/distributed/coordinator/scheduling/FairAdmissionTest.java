package zisk.distributed.coordinator.scheduling;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import zisk.distributed.api.v1.JobStatus;
import zisk.distributed.api.v1.JobStatusRequest;
import zisk.distributed.api.v1.LaunchProofRequest;
import zisk.distributed.coordinator.config.CoordinatorConfig;
import zisk.distributed.coordinator.lifecycle.JobLifecycle;
import zisk.distributed.coordinator.lifecycle.LaunchOutcome;
import zisk.distributed.coordinator.store.Database;
import zisk.distributed.coordinator.store.NewJob;
import zisk.distributed.coordinator.store.Store;
import zisk.distributed.coordinator.store.TaskDao.OutgoingTask;
import zisk.distributed.coordinator.testing.RawProver;
import zisk.distributed.coordinator.testing.RunningCoordinator;
import zisk.distributed.coordinator.testing.TestDatabase;

/** Jobs that cannot fit never block jobs that can; among jobs that fit, oldest first. */
class FairAdmissionTest {

  @Test
  void aJobThatFitsStartsInOneRoundBehindFortyJobsLargerThanTheCluster() {
    try (RunningCoordinator coordinator =
            RunningCoordinator.inProcess(CoordinatorConfig.local(TestDatabase.freshJdbcUrl()));
        RawProver prover = RawProver.open(coordinator.channel(), true)) {
      // given: a 2-unit cluster, and 40 jobs of 8 units queued first
      prover.register("p1", 2);
      List<String> tooLarge = IntStream.range(0, 40).mapToObj(i -> launch(coordinator, 8)).toList();

      // when
      String fits = launch(coordinator, 2);

      // then: it starts at the admission its launch asks for, not after the large ones
      await("the job that fits to start")
          .atMost(Duration.ofSeconds(3))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> status(coordinator, fits).getState(), "RUNNING"::equals);
      assertEquals(fits, prover.awaitTask().getJobId());
      JobStatus waiting = status(coordinator, tooLarge.get(0));
      assertEquals("QUEUED", waiting.getState());
      assertEquals("larger than the cluster: 2 units connected", waiting.getWaitingReason());
    }
  }

  @Test
  void amongJobsThatFitTheOldestStartsFirst() {
    // given: two idle 1-unit provers; queued: too large, then 2 units, then two of 1 unit
    DataSource dataSource = TestDatabase.freshMigratedDataSource();
    Jdbi jdbi = Database.jdbi(dataSource);
    UUID coordinator = UUID.randomUUID();
    insertProvers(jdbi, coordinator, 2);
    Store store = new Store(dataSource);
    JobLifecycle lifecycle = new JobLifecycle(store, coordinator);
    Admission admission = new Admission(lifecycle, Duration.ofSeconds(30), Duration.ofSeconds(30));
    launch(lifecycle, 5);
    UUID oldestFitting = launch(lifecycle, 2);
    launch(lifecycle, 1);
    launch(lifecycle, 1);

    // when
    List<OutgoingTask> started = store.inTransaction(admission::admit).toSend();

    // then: the 2-unit job takes both provers, though two younger jobs would have started
    assertEquals(
        List.of(oldestFitting, oldestFitting), started.stream().map(OutgoingTask::jobId).toList());
  }

  @Test
  void tenThousandQueuedJobsLargerThanTheClusterDoNotHideOneThatFits() {
    DataSource dataSource = TestDatabase.freshMigratedDataSource();
    Jdbi jdbi = Database.jdbi(dataSource);
    UUID coordinator = UUID.randomUUID();
    insertProvers(jdbi, coordinator, 3);
    jdbi.useHandle(
        h -> {
          h.execute(
              """
          INSERT INTO jobs (block_id, input_path, compute_capacity, created_at)
          SELECT 'large-' || i, '/input', 100, now() - interval '1 hour' + i * interval '1 ms'
          FROM generate_series(1, 10000) i
          """);
          h.execute("ANALYZE jobs");
        });
    Store store = new Store(dataSource);
    JobLifecycle lifecycle = new JobLifecycle(store, coordinator);
    Admission admission = new Admission(lifecycle, Duration.ofSeconds(30), Duration.ofSeconds(30));
    UUID small = launch(lifecycle, 1);
    UUID medium = launch(lifecycle, 2);

    List<OutgoingTask> started = store.inTransaction(admission::admit).toSend();

    assertEquals(
        List.of(small, medium, medium), started.stream().map(OutgoingTask::jobId).toList());
  }

  @Test
  void aLaunchThatFitsIdleProversStartsTheJobInItsOwnTransaction() {
    DataSource dataSource = TestDatabase.freshMigratedDataSource();

    Admission.Launched launched = launchTwoUnits(dataSource, 2);

    UUID job = created(launched);
    assertEquals(
        List.of(job, job), launched.effects().toSend().stream().map(OutgoingTask::jobId).toList());
    assertEquals("RUNNING", state(dataSource, job));
    assertFalse(launched.effects().admitRequested(), "nothing left for another round");
  }

  @Test
  void aLaunchThatFitsNoIdleProverStaysQueuedAndAsksForARound() {
    DataSource dataSource = TestDatabase.freshMigratedDataSource();

    Admission.Launched launched = launchTwoUnits(dataSource, 1);

    UUID job = created(launched);
    assertTrue(launched.effects().toSend().isEmpty());
    assertEquals("QUEUED", state(dataSource, job));
    // A concurrent round may have held provers this one skipped: it asks for one more.
    assertTrue(launched.effects().admitRequested());
  }

  @Test
  void whileJobsWaitALaunchLeavesItsJobToTheRoundAfterItsCommit() {
    DataSource dataSource = TestDatabase.freshMigratedDataSource();
    Jdbi jdbi = Database.jdbi(dataSource);
    UUID coordinator = UUID.randomUUID();
    insertProvers(jdbi, coordinator, 1);
    Store store = new Store(dataSource);
    Admission admission = admission(store, coordinator);
    UUID waiting = created(launchTwoUnits(store, admission));
    assertEquals("QUEUED", state(dataSource, waiting), "one idle unit: the 2-unit job waits");

    // given: now two provers are idle, which the last round did not see
    addIdleProver(jdbi, coordinator, "p2");

    // when
    Admission.Launched later = launchTwoUnits(store, admission);

    // then: the launch did not look; the round it asks for starts the oldest job that fits
    UUID younger = created(later);
    assertTrue(later.effects().toSend().isEmpty());
    assertTrue(later.effects().admitRequested());
    assertEquals("QUEUED", state(dataSource, younger));
    List<OutgoingTask> round = store.inTransaction(admission::admit).toSend();
    assertEquals(List.of(waiting, waiting), round.stream().map(OutgoingTask::jobId).toList());

    // and once a round leaves nothing waiting, a launch starts its job itself again
    addIdleProver(jdbi, coordinator, "p3");
    addIdleProver(jdbi, coordinator, "p4");
    assertEquals(2, store.inTransaction(admission::admit).toSend().size(), "the younger job");
    addIdleProver(jdbi, coordinator, "p5");
    addIdleProver(jdbi, coordinator, "p6");
    Admission.Launched third = launchTwoUnits(store, admission);
    assertEquals(2, third.effects().toSend().size());
    assertFalse(third.effects().admitRequested());
  }

  /** A 2-unit job launched through Admission.launch with {@code provers} idle 1-unit provers. */
  private static Admission.Launched launchTwoUnits(DataSource dataSource, int provers) {
    UUID coordinator = UUID.randomUUID();
    insertProvers(Database.jdbi(dataSource), coordinator, provers);
    Store store = new Store(dataSource);
    return launchTwoUnits(store, admission(store, coordinator));
  }

  private static Admission.Launched launchTwoUnits(Store store, Admission admission) {
    NewJob job = new NewJob("block", 2, "/input", Optional.empty(), 3);
    return store.inTransaction(tx -> admission.launch(tx, job, Integer.MAX_VALUE));
  }

  private static Admission admission(Store store, UUID coordinator) {
    return new Admission(
        new JobLifecycle(store, coordinator), Duration.ofSeconds(30), Duration.ofSeconds(30));
  }

  private static UUID created(Admission.Launched launched) {
    return assertInstanceOf(LaunchOutcome.Created.class, launched.outcome()).jobId();
  }

  private static String state(DataSource dataSource, UUID job) {
    return Database.jdbi(dataSource)
        .withHandle(
            h ->
                h.createQuery("SELECT state FROM jobs WHERE job_id = ?")
                    .bind(0, job)
                    .mapTo(String.class)
                    .one());
  }

  private static void insertProvers(Jdbi jdbi, UUID coordinator, int count) {
    jdbi.useHandle(
        h ->
            h.execute(
                "INSERT INTO coordinator_instances (instance_id, address, version) VALUES (?, '127.0.0.1:1', 't')",
                coordinator));
    for (int i = 1; i <= count; i++) {
      addIdleProver(jdbi, coordinator, "p" + i);
    }
  }

  private static void addIdleProver(Jdbi jdbi, UUID coordinator, String proverId) {
    jdbi.useHandle(
        h ->
            h.execute(
                "INSERT INTO provers (prover_id, state, compute_units, instance_id) VALUES (?, 'IDLE', 1, ?)",
                proverId,
                coordinator));
  }

  private static UUID launch(JobLifecycle lifecycle, int capacity) {
    NewJob job = new NewJob("block", capacity, "/input", Optional.empty(), 3);
    return assertInstanceOf(LaunchOutcome.Created.class, lifecycle.launch(job)).jobId();
  }

  private static String launch(RunningCoordinator coordinator, int capacity) {
    return coordinator
        .stub()
        .launchProof(
            LaunchProofRequest.newBuilder()
                .setBlockId("block")
                .setComputeCapacity(capacity)
                .setInputPath("/input")
                .build())
        .getJobId();
  }

  private static JobStatus status(RunningCoordinator coordinator, String jobId) {
    return coordinator
        .stub()
        .jobStatus(JobStatusRequest.newBuilder().setJobId(jobId).build())
        .getJob();
  }
}
