package zisk.distributed.reliability;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import zisk.distributed.api.v1.FinalProofList;
import zisk.distributed.api.v1.JobStatus;
import zisk.distributed.api.v1.LaunchProofRequest;
import zisk.distributed.reference.ReferenceInput;
import zisk.distributed.reference.ReferenceVerifier;
import zisk.distributed.reference.VerificationResult;
import zisk.distributed.reliability.ClusterDatabase.JobRow;
import zisk.distributed.reliability.ClusterDatabase.ProverRow;
import zisk.distributed.reliability.ClusterDatabase.RunningTask;

/**
 * Fault injection with real processes: three coordinator JVMs over one PostgreSQL, four worker JVMs
 * spread over them, and faults delivered for real (SIGKILL, SIGSTOP, a PostgreSQL restart). Each
 * scenario launches its own jobs, injects its faults, waits (always with a deadline) for every job
 * to complete, verifies every proof against its input, and checks the {@link Invariants} in SQL. A
 * probe that throws a RuntimeException while a fault is in progress counts as "not yet" (the last
 * one is reported if the deadline passes); an AssertionError fails at once. One cluster serves
 * every scenario; before each one, whatever the previous one killed or froze is restarted or
 * thawed, so the scenarios stay independent.
 *
 * <p>The invariants are checked after every trial, not only at the end of a scenario, and the
 * summary table is rewritten after every scenario, so a long run stopped early still reports the
 * trials it completed.
 *
 * <p>Each worker offers one compute unit and each job asks for two, so two jobs run at once, each
 * on two provers, and a third waits in the queue.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultInjectionTest {

  /**
   * Trials per fault class: {@code -Dzisk.faults.trials=N} (the {@code faults-long} profile sets
   * 30) runs N of each; unset, each class runs its short-mode count. Every test's time limit is a
   * JUnit configuration parameter the profile raises with it.
   */
  static final String TRIALS_PROPERTY = "zisk.faults.trials";

  private static final Path TARGET = Path.of(System.getProperty("basedir", ".")).resolve("target");
  private static final List<String> PHASES = List.of("PARTIAL_CONTRIBUTION", "PROVE", "AGGREGATE");
  private static final int JOB_CAPACITY = 2;

  /**
   * Each rank proves one lane of 400,000 SHA-256 steps: about half a second of hashing in a
   * C1-compiled worker, plus the drill's phase delay, so PARTIAL_CONTRIBUTION takes about a second.
   */
  private static final int LANES = 2;

  private static final long STEPS = 400_000;

  /**
   * Three times as long: a frozen worker's task must still be running when it is thawed and
   * rejoins.
   */
  private static final long LONG_STEPS = 3 * STEPS;

  private static final Duration JOB_DEADLINE = Duration.ofSeconds(90);
  private static final Duration PHASE_DEADLINE = Duration.ofSeconds(60);

  /**
   * A task dispatched this recently is surely still running (every phase lasts at least the drill
   * delay).
   */
  private static final Duration JUST_DISPATCHED = Duration.ofMillis(400);

  private static final Duration OUTAGE = Duration.ofSeconds(5);

  /** Longer than the instance liveness window: every coordinator's row goes stale. */
  private static final Duration LONG_OUTAGE =
      Duration.ofSeconds(FaultCluster.INSTANCE_LIVENESS_SECONDS + 4);

  /**
   * How long the surviving coordinators may take to judge one cut off from PostgreSQL dead and take
   * its provers over: its row goes stale after the liveness window, its provers' rows after the
   * heartbeat timeout; the slack covers sweep periods and a busy machine.
   */
  private static final Duration TAKEOVER_BOUND =
      Duration.ofSeconds(
          FaultCluster.INSTANCE_LIVENESS_SECONDS + FaultCluster.HEARTBEAT_TIMEOUT_SECONDS + 10);

  /** How long a coordinator may take to notice a silent prover: the timeout, plus slack. */
  private static final Duration SILENCE_BOUND =
      Duration.ofSeconds(FaultCluster.HEARTBEAT_TIMEOUT_SECONDS + 8);

  /** How often the stream count is sampled during the outage. */
  private static final Duration SAMPLE_EVERY = Duration.ofMillis(200);

  private final FaultLedger ledger = new FaultLedger();
  private final AtomicInteger launches = new AtomicInteger();
  private FaultCluster cluster;
  private ClusterClient client;
  private ClusterDatabase database;
  private long suiteStart;

  /** A launched job with the input its proof must verify against. */
  private record Launched(UUID jobId, LaunchProofRequest request, ReferenceInput input) {}

  @RegisterExtension
  final TestWatcher logsOnFailure =
      new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
          printLogs(context.getDisplayName() + " failed");
        }
      };

  @BeforeAll
  void startCluster() {
    suiteStart = System.nanoTime();
    try {
      cluster = FaultCluster.start(TARGET, 3, 4);
    } catch (RuntimeException | AssertionError e) {
      System.out.println("The cluster did not start; logs: " + TARGET.resolve("reliability-logs"));
      throw e;
    }
    client = cluster.client();
    database = cluster.database();
    say(
        "cluster up: coordinators "
            + cluster.coordinatorNames()
            + ", workers "
            + cluster.workerIds()
            + ", PostgreSQL on port "
            + cluster.postgres().port());
  }

  @BeforeEach
  void wholeCluster() {
    cluster.ensureWhole();
  }

  @AfterEach
  void thawFrozenWorkers() {
    cluster.workerIds().forEach(cluster::thawWorker);
    // Also after each scenario: a long run stopped early keeps the figures of those it finished.
    ledger.publish(
        TARGET.resolve("reliability-summary.md"), Duration.ofNanos(System.nanoTime() - suiteStart));
  }

  /** The trials of a fault class: its short-mode count unless {@link #TRIALS_PROPERTY} is set. */
  static int trials(int shortMode) {
    return Integer.getInteger(TRIALS_PROPERTY, shortMode);
  }

  @AfterAll
  void stopCluster() {
    try {
      ledger.publish(
          TARGET.resolve("reliability-summary.md"),
          Duration.ofNanos(System.nanoTime() - suiteStart));
    } finally {
      if (cluster != null) {
        cluster.close();
      }
    }
  }

  @Test
  @Order(1)
  void manyJobsOverSeveralCoordinatorsAllComplete() {
    FaultLedger.Row row = ledger.open("none: 8 jobs over 3 coordinators");
    Set<UUID> holders = new HashSet<>();
    database.provers().values().forEach(prover -> holders.add(prover.instanceId()));
    assertTrue(
        holders.size() >= 2, "workers spread over several coordinators, got " + database.provers());

    List<Launched> jobs = launch("baseline", 8, row);
    for (Launched job : jobs) {
      // The same request again, through every coordinator: the same job, not a second one.
      for (String coordinator : client.coordinators()) {
        assertEquals(
            job.jobId().toString(),
            client.launchVia(coordinator, job.request()).jobId(),
            "retried launch of " + job.request().getClientRequestId() + " via " + coordinator);
      }
    }
    row.trials = 1;
    awaitCompleted(jobs);
    checkTrial(row, "baseline", jobs, jobs);

    finish(row);
  }

  @Test
  @Order(2)
  void coordinatorKilledDuringEachPhaseLosesNoJob() {
    int phaseKills = trials(PHASES.size());
    FaultLedger.Row row =
        ledger.open("coordinator SIGKILL, " + phaseKills + " over the phases + 1 while idle");
    String tag = "coordinator-kill";
    List<Launched> all = new ArrayList<>();

    // First while every prover is idle: jobs launched right after the kill are admitted at once,
    // also onto the dead coordinator's provers, whose rows still say IDLE until they reconnect.
    String idleVictim = coordinatorHoldingMostProvers();
    cluster.killCoordinator(idleVictim);
    Instant idleKilledAt = Instant.now();
    row.trials++;
    List<String> idleSurvivors =
        cluster.coordinatorNames().stream().filter(name -> !name.equals(idleVictim)).toList();
    List<Launched> afterIdleKill = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      LaunchProofRequest request = newRequest(tag);
      afterIdleKill.add(
          launched(request, client.launch(request, idleSurvivors, Duration.ofSeconds(30))));
    }
    row.launched += afterIdleKill.size();
    all.addAll(afterIdleKill);
    cluster.startCoordinator(idleVictim);
    awaitCompleted(afterIdleKill);
    row.recovery(recoveryOf(afterIdleKill, idleKilledAt));
    say(
        String.format(
            "coordinator kill %d: %s killed while its provers were idle; 2 jobs launched at once; done %.1f s"
                + " later",
            row.trials, idleVictim, recoveryOf(afterIdleKill, idleKilledAt).toMillis() / 1000.0));
    cluster.awaitServing(idleVictim);
    cluster.awaitWorkersConnected(cluster.workerIds());
    checkTrial(row, tag, all, afterIdleKill);
    assertFirstAttempt(row, afterIdleKill, "a coordinator crash");

    for (int trial = 0; trial < phaseKills; trial++) {
      String phase = PHASES.get(trial % PHASES.size());
      {
        List<Launched> batch = launch(tag, 2, row);
        all.addAll(batch);
        RunningTask target = awaitRunning(batch, phase);
        String victim = cluster.coordinatorOnPort(target.coordinatorPort());

        cluster.killCoordinator(victim);
        Instant killedAt = Instant.now();
        row.trials++;

        // Only the dead coordinator held the stream the result would come back on.
        assertEquals(
            "DISPATCHED",
            database.taskState(target.taskId()),
            "the kill struck " + phase + " mid-task");
        // A client whose launch answer was lost with the coordinator retries elsewhere: same jobs.
        List<String> survivors =
            cluster.coordinatorNames().stream().filter(name -> !name.equals(victim)).toList();
        for (Launched job : batch) {
          assertEquals(
              job.jobId().toString(),
              client.launch(job.request(), survivors, Duration.ofSeconds(30)),
              "retried launch of "
                  + job.request().getClientRequestId()
                  + " after "
                  + victim
                  + " died");
        }
        cluster.startCoordinator(victim);
        awaitCompleted(batch);
        Duration recovery = recoveryOf(batch, killedAt);
        row.recovery(recovery);
        say(
            String.format(
                "coordinator kill %d: %s killed during %s (prover %s, job %s); jobs done %.1f s later",
                row.trials,
                victim,
                phase,
                target.proverId(),
                target.jobId(),
                recovery.toMillis() / 1000.0));
        cluster.awaitServing(victim);
        cluster.awaitWorkersConnected(cluster.workerIds());
        checkTrial(row, tag, all, batch);
        assertFirstAttempt(row, batch, "a coordinator crash");
      }
    }

    finish(row);
  }

  /**
   * The provers of a dead coordinator reconnect elsewhere and keep their tasks: no attempt is lost.
   */
  private void assertFirstAttempt(FaultLedger.Row row, List<Launched> batch, String fault) {
    for (JobRow job : database.jobs(ids(batch)).values()) {
      if (job.attempt() != 1) {
        row.result = "FAIL: " + fault + " cost an attempt";
        throw new AssertionError(
            "job "
                + job.jobId()
                + " needed attempt "
                + job.attempt()
                + " after "
                + fault
                + ":"
                + database.timeline(job.jobId()));
      }
    }
  }

  @Test
  @Order(3)
  void workerKilledMidTaskIsReplacedAndItsJobCompletes() {
    FaultLedger.Row row = ledger.open("worker SIGKILL mid-task, over the phases");
    String tag = "worker-kill";
    List<Launched> all = new ArrayList<>();
    for (int trial = 0; trial < trials(PHASES.size()); trial++) {
      String phase = PHASES.get(trial % PHASES.size());
      List<Launched> batch = launch(tag, 2, row);
      all.addAll(batch);
      RunningTask target = awaitRunning(batch, phase);

      cluster.killWorker(target.proverId());
      Instant killedAt = Instant.now();
      row.trials++;

      // The coordinator sees the stream break; after the reconnect grace the prover is lost (its
      // rank recomputed on an idle worker, or the attempt re-queued).
      await("job " + target.jobId() + " lost " + target.proverId())
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptionsInstanceOf(RuntimeException.class)
          .until(() -> database.hasEvent(target.jobId(), "PROVER_LOST"));
      cluster.startWorker(target.proverId());
      awaitCompleted(batch);
      Duration recovery = recoveryOf(batch, killedAt);
      row.recovery(recovery);
      say(
          String.format(
              "worker kill %d: %s killed during %s of job %s; replaced; jobs done %.1f s later",
              row.trials, target.proverId(), phase, target.jobId(), recovery.toMillis() / 1000.0));
      cluster.awaitWorkersConnected(cluster.workerIds());
      checkTrial(row, tag, all, batch);
    }

    finish(row);
  }

  /**
   * One job on two of the four workers leaves two idle: a worker killed mid-contribution costs only
   * its rank, recomputed on a spare, and the job completes in its first attempt.
   */
  @Test
  @Order(30)
  void workerKilledMidContributionWithASpareIdleCostsOnlyItsRank() {
    FaultLedger.Row row = ledger.open("worker SIGKILL mid-contribution, a spare idle");
    String tag = "rank-recompute";
    List<Launched> all = new ArrayList<>();
    for (int trial = 0; trial < trials(1); trial++) {
      List<Launched> batch = launch(tag, 1, row);
      all.addAll(batch);
      RunningTask target = awaitRunning(batch, "PARTIAL_CONTRIBUTION");

      cluster.killWorker(target.proverId());
      Instant killedAt = Instant.now();
      row.trials++;

      awaitCompleted(batch);
      Duration recovery = recoveryOf(batch, killedAt);
      row.recovery(recovery);
      String timeline = database.timeline(target.jobId());
      assertEquals(
          1,
          database.jobs(ids(batch)).get(target.jobId()).attempt(),
          "the lost rank cost no attempt: " + timeline);
      assertTrue(database.hasEvent(target.jobId(), "RANK_REPLACED"), timeline);
      assertFalse(database.hasEvent(target.jobId(), "REQUEUED"), timeline);
      say(
          String.format(
              "rank recompute %d: %s killed during PARTIAL_CONTRIBUTION of job %s; its rank"
                  + " recomputed on a spare; job done %.1f s later in attempt 1",
              row.trials, target.proverId(), target.jobId(), recovery.toMillis() / 1000.0));
      cluster.startWorker(target.proverId());
      cluster.awaitWorkersConnected(cluster.workerIds());

      checkTrial(row, tag, all, batch);
    }
    finish(row);
  }

  @Test
  @Order(4)
  void frozenWorkerIsCaughtByTheHeartbeatTimeout() {
    FaultLedger.Row row = ledger.open("worker SIGSTOP (stream open, silent), then SIGCONT");
    String tag = "worker-freeze";
    List<Launched> all = new ArrayList<>();
    for (int trial = 0; trial < trials(1); trial++) {
      String phase = PHASES.get(trial % 2);
      List<Launched> batch = launch(tag, 2, row, LONG_STEPS);
      all.addAll(batch);
      RunningTask target = awaitRunning(batch, phase);

      cluster.freezeWorker(target.proverId());
      Instant frozenAt = Instant.now();
      row.trials++;

      // Its TCP connection stays open, so only the heartbeat timeout can tell it is gone.
      await("ProversList showing frozen " + target.proverId() + " DISCONNECTED")
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptionsInstanceOf(RuntimeException.class)
          .until(
              () ->
                  client
                      .provers()
                      .orElseThrow(
                          () -> new IllegalStateException("no coordinator listed the provers")),
              provers ->
                  provers.stream()
                      .anyMatch(
                          prover ->
                              prover.getProverId().equals(target.proverId())
                                  && prover.getState().equals("DISCONNECTED")));
      Duration detection = Duration.between(frozenAt, Instant.now());
      assertTrue(
          database.hasEvent(target.jobId(), "REQUEUED")
              || database.hasEvent(target.jobId(), "RANK_LOST"),
          "job "
              + target.jobId()
              + " re-queued or its rank recomputed:"
              + database.timeline(target.jobId()));
      awaitCompleted(batch);
      Duration recovery = recoveryOf(batch, frozenAt);
      row.recovery(recovery);
      say(
          String.format(
              "worker freeze %d: %s frozen during %s of job %s; DISCONNECTED after %.1f s; jobs done %.1f s"
                  + " after the freeze, while it was still frozen",
              row.trials,
              target.proverId(),
              phase,
              target.jobId(),
              detection.toMillis() / 1000.0,
              recovery.toMillis() / 1000.0));

      // Two more jobs: one starts on the three live provers, the other waits for a fourth. Thawed,
      // the worker finds its stream gone, rejoins while its abandoned task is still running, and is
      // given the waiting job at once: it must drop the old task and take the new one.
      List<Launched> after = launch(tag, 2, row);
      all.addAll(after);
      cluster.thawWorker(target.proverId());
      cluster.awaitWorkersConnected(cluster.workerIds());
      awaitCompleted(after);
      checkTrial(row, tag, all, concat(batch, after));
    }

    finish(row);
  }

  @Test
  @Order(5)
  void postgresRestartMidRunIsSurvived() {
    FaultLedger.Row row = ledger.open("PostgreSQL restart mid-run");
    String tag = "postgres-restart";
    List<Launched> all = new ArrayList<>();
    int systemUnavailable = 0;
    for (int trial = 0; trial < trials(1); trial++) {
      String phase = PHASES.get(trial % 2);
      // One job on two provers; the other two stay idle through the outage.
      List<Launched> batch = launch(tag, 1, row);
      all.addAll(batch);
      awaitRunning(batch, phase);
      Map<String, ProverRow> before = database.provers();
      List<String> idle =
          before.values().stream()
              .filter(prover -> prover.state().equals("IDLE"))
              .map(ProverRow::proverId)
              .toList();

      Instant downAt = Instant.now();
      cluster.postgres().stop();
      row.trials++;
      say(
          "PostgreSQL stopped during "
              + phase
              + " of job "
              + batch.get(0).jobId()
              + "; idle provers "
              + idle);
      Outage outage = probeOutage(batch.get(0).jobId(), tag);
      systemUnavailable += outage.systemUnavailable();
      cluster.postgres().start();
      Instant upAt = Instant.now();
      Duration down = Duration.between(downAt, upAt);

      assertTrue(
          systemUnavailable > 0,
          "coordinators answered SYSTEM_UNAVAILABLE while PostgreSQL was down");
      // Heartbeats need no database: the idle provers' streams stayed open on their coordinators.
      assertTrue(
          outage.fewestStreams() >= idle.size(),
          "coordinators kept at least the "
              + idle.size()
              + " idle provers' streams through the outage; fewest seen: "
              + outage.fewestStreams());
      // The launches refused during the outage, retried with the same ids now that it is over.
      List<Launched> retried = new ArrayList<>();
      for (LaunchProofRequest request : outage.refusedLaunches()) {
        retried.add(
            launched(
                request, client.launch(request, client.coordinators(), Duration.ofSeconds(60))));
      }
      row.launched += retried.size();
      all.addAll(retried);
      awaitCompleted(batch);
      Duration recovery = recoveryOf(batch, upAt);
      row.recovery(recovery);
      awaitCompleted(retried);
      cluster.coordinatorNames().forEach(cluster::awaitServing);
      Map<String, ProverRow> after = database.provers();
      for (String proverId : idle) {
        assertEquals(
            before.get(proverId).sessionEpoch(),
            after.get(proverId).sessionEpoch(),
            "idle prover " + proverId + " kept its stream (same session) through the outage");
      }
      int attempts =
          database.jobs(ids(batch)).values().stream().mapToInt(JobRow::attempt).max().orElse(0);
      say(
          String.format(
              "PostgreSQL restart %d: down %.1f s during %s; %d SYSTEM_UNAVAILABLE answers so far; "
                  + "at least %d streams held throughout; job done in %d attempt(s), %.1f s after PostgreSQL returned",
              row.trials,
              down.toMillis() / 1000.0,
              phase,
              systemUnavailable,
              outage.fewestStreams(),
              attempts,
              recovery.toMillis() / 1000.0));
      checkTrial(row, tag, all, concat(batch, retried));
    }

    finish(row);
  }

  @Test
  @Order(6)
  void postgresOutageLongerThanTheInstanceLivenessRequeuesNothing() {
    FaultLedger.Row row =
        ledger.open(
            "PostgreSQL down "
                + LONG_OUTAGE.toSeconds()
                + " s, longer than the instance liveness ("
                + FaultCluster.INSTANCE_LIVENESS_SECONDS
                + " s)");
    String tag = "postgres-long-outage";
    List<Launched> all = new ArrayList<>();
    for (int trial = 0; trial < trials(1); trial++) {
      String phase = PHASES.get(trial % 2);
      List<Launched> batch = launch(tag, 1, row, LONG_STEPS);
      all.addAll(batch);
      // Only a job in flight matters here, not the exact moment: a looser window than the others.
      awaitRunning(batch, phase, Duration.ofSeconds(2));
      Map<String, ProverRow> before = database.provers();

      Instant downAt = Instant.now();
      cluster.postgres().stop();
      row.trials++;
      // The outage itself: every coordinator's row goes stale while it lasts.
      await("PostgreSQL down for " + LONG_OUTAGE.toSeconds() + " s")
          .pollInterval(Duration.ofMillis(200))
          .atMost(LONG_OUTAGE.plusSeconds(5))
          .until(() -> !Instant.now().isBefore(downAt.plus(LONG_OUTAGE)));
      cluster.postgres().start();
      Instant upAt = Instant.now();

      awaitCompleted(batch);
      Duration recovery = recoveryOf(batch, upAt);
      row.recovery(recovery);
      cluster.coordinatorNames().forEach(cluster::awaitServing);
      cluster.awaitWorkersConnected(cluster.workerIds());
      // When it returns, no coordinator takes the others for dead: nothing is re-queued, and the
      // idle provers keep their streams (the same sessions).
      assertFirstAttempt(row, batch, "a PostgreSQL outage");
      UUID jobId = batch.get(0).jobId();
      assertTrue(
          !database.hasEvent(jobId, "PROVER_LOST") && !database.hasEvent(jobId, "REQUEUED"),
          "no prover lost, nothing re-queued:" + database.timeline(jobId));
      Map<String, ProverRow> after = database.provers();
      for (ProverRow prover : before.values()) {
        if (prover.state().equals("IDLE")) {
          assertEquals(
              prover.sessionEpoch(),
              after.get(prover.proverId()).sessionEpoch(),
              "idle prover " + prover.proverId() + " kept its session through the outage");
        }
      }
      say(
          String.format(
              "long PostgreSQL outage %d: down %.1f s during %s; job done in its first attempt"
                  + " %.1f s after PostgreSQL returned; idle provers kept their sessions",
              row.trials,
              Duration.between(downAt, upAt).toMillis() / 1000.0,
              phase,
              recovery.toMillis() / 1000.0));
      checkTrial(row, tag, all, batch);
    }

    finish(row);
  }

  @Test
  @Order(7)
  void coordinatorCutOffFromPostgresIsTakenOverByTheOthers() {
    FaultLedger.Row row =
        ledger.open("coordinator cut off from PostgreSQL (its workers still reach it)");
    String tag = "coordinator-cut";
    List<Launched> all = new ArrayList<>();
    for (int trial = 0; trial < trials(1); trial++) {
      String phase = PHASES.get(trial % 2);
      List<Launched> batch = launch(tag, 2, row);
      all.addAll(batch);
      RunningTask target = awaitRunning(batch, phase);
      String victim = cluster.coordinatorOnPort(target.coordinatorPort());
      UUID victimInstance = database.provers().get(target.proverId()).instanceId();

      cluster.cutFromDatabase(victim);
      Instant cutAt = Instant.now();
      row.trials++;

      // Its row goes stale; the others, in touch with PostgreSQL, judge it dead and take every
      // prover it held: none names it any more.
      await("no prover held by " + victim + ", cut off from PostgreSQL")
          .atMost(TAKEOVER_BOUND)
          .ignoreExceptionsInstanceOf(RuntimeException.class)
          .until(
              database::provers,
              provers ->
                  provers.values().stream()
                      .noneMatch(prover -> victimInstance.equals(prover.instanceId())));
      Duration takeover = Duration.between(cutAt, Instant.now());
      // Its jobs complete on the others' provers while it is still cut off.
      awaitCompleted(batch);
      Duration recovery = recoveryOf(batch, cutAt);
      row.recovery(recovery);

      // Back in touch, it finds its provers taken over and lets their streams go: they register
      // again.
      cluster.reconnectToDatabase(victim);
      cluster.awaitServing(victim);
      cluster.awaitWorkersConnected(cluster.workerIds());
      say(
          String.format(
              "coordinator cut %d: %s cut off from PostgreSQL during %s; its provers taken over"
                  + " %.1f s later; jobs done %.1f s after the cut",
              row.trials,
              victim,
              phase,
              takeover.toMillis() / 1000.0,
              recovery.toMillis() / 1000.0));
      checkTrial(row, tag, all, batch);
    }

    finish(row);
  }

  @Test
  @Order(8)
  void workerCutOffWithoutAFinIsCaughtByTheHeartbeatTimeout() {
    FaultLedger.Row row =
        ledger.open("worker cut off without a FIN (packets dropped), then healed");
    String tag = "worker-silent";
    List<Launched> all = new ArrayList<>();
    // One in short mode (CI's budget); the long mode rotates over PARTIAL_CONTRIBUTION and PROVE.
    for (int trial = 0; trial < trials(1); trial++) {
      String phase = PHASES.get(trial % 2);
      List<Launched> batch = launch(tag, 2, row, LONG_STEPS);
      all.addAll(batch);
      RunningTask target = awaitRunning(batch, phase);

      cluster.silenceWorker(target.proverId());
      Instant silencedAt = Instant.now();
      row.trials++;

      // Nothing was closed: only the heartbeat timeout can tell it is gone.
      await("ProversList showing silenced " + target.proverId() + " DISCONNECTED")
          .atMost(SILENCE_BOUND)
          .ignoreExceptionsInstanceOf(RuntimeException.class)
          .until(
              () ->
                  client
                      .provers()
                      .orElseThrow(
                          () -> new IllegalStateException("no coordinator listed the provers")),
              provers ->
                  provers.stream()
                      .anyMatch(
                          prover ->
                              prover.getProverId().equals(target.proverId())
                                  && prover.getState().equals("DISCONNECTED")));
      Duration detection = Duration.between(silencedAt, Instant.now());
      assertTrue(
          database.hasEvent(target.jobId(), "PROVER_LOST"),
          "job " + target.jobId() + " lost its prover:" + database.timeline(target.jobId()));
      awaitCompleted(batch);
      Duration recovery = recoveryOf(batch, silencedAt);
      row.recovery(recovery);

      cluster.healWorker(target.proverId());
      cluster.awaitWorkersConnected(cluster.workerIds());
      say(
          String.format(
              "worker silenced %d: %s cut off without a FIN during %s of job %s; DISCONNECTED after"
                  + " %.1f s; jobs done %.1f s after the cut, while it was still cut off",
              row.trials,
              target.proverId(),
              phase,
              target.jobId(),
              detection.toMillis() / 1000.0,
              recovery.toMillis() / 1000.0));
      checkTrial(row, tag, all, batch);
    }

    finish(row);
  }

  /** What the clients saw while PostgreSQL was down. */
  private record Outage(
      int systemUnavailable, int fewestStreams, List<LaunchProofRequest> refusedLaunches) {}

  /**
   * For {@link #OUTAGE}, while PostgreSQL is down: asks every coordinator for a job's status and
   * two of them to launch a job (each call waits up to the coordinator's database timeout, so they
   * run side by side), and samples how many prover streams the coordinators hold (StatusInfo reads
   * memory only). Every launch must be refused with SYSTEM_UNAVAILABLE.
   */
  private Outage probeOutage(UUID jobId, String tag) {
    ExecutorService probes = Executors.newFixedThreadPool(client.coordinators().size() + 2);
    try {
      long end = System.nanoTime() + OUTAGE.toNanos();
      List<Future<Optional<String>>> statuses = new ArrayList<>();
      for (String coordinator : client.coordinators()) {
        statuses.add(probes.submit(() -> client.jobStatusError(coordinator, jobId.toString())));
      }
      Map<LaunchProofRequest, Future<ClusterClient.LaunchAnswer>> launches = new LinkedHashMap<>();
      for (String coordinator : client.coordinators().subList(0, 2)) {
        LaunchProofRequest request = newRequest(tag);
        launches.put(request, probes.submit(() -> client.launchVia(coordinator, request)));
      }
      int fewestStreams = Integer.MAX_VALUE;
      while (System.nanoTime() < end
          || !statuses.stream().allMatch(Future::isDone)
          || !launches.values().stream().allMatch(Future::isDone)) {
        int streams = 0;
        for (String coordinator : client.coordinators()) {
          streams += Math.max(0, client.streamsHeld(coordinator));
        }
        fewestStreams = Math.min(fewestStreams, streams);
        Thread.sleep(SAMPLE_EVERY.toMillis());
      }
      int systemUnavailable = 0;
      for (Future<Optional<String>> status : statuses) {
        if (status.get().equals(Optional.of("SYSTEM_UNAVAILABLE"))) {
          systemUnavailable++;
        }
      }
      for (Map.Entry<LaunchProofRequest, Future<ClusterClient.LaunchAnswer>> launch :
          launches.entrySet()) {
        ClusterClient.LaunchAnswer answer = launch.getValue().get();
        assertEquals(
            "SYSTEM_UNAVAILABLE",
            answer.errorCode(),
            "LaunchProof while PostgreSQL is down: " + answer);
        systemUnavailable++;
      }
      return new Outage(systemUnavailable, fewestStreams, List.copyOf(launches.keySet()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    } catch (ExecutionException e) {
      throw new AssertionError("a probe failed", e.getCause());
    } finally {
      probes.shutdownNow();
    }
  }

  /** The coordinator holding the most prover streams right now. */
  private String coordinatorHoldingMostProvers() {
    Map<UUID, Long> byInstance = new LinkedHashMap<>();
    database.provers().values().stream()
        .filter(ProverRow::connected)
        .forEach(prover -> byInstance.merge(prover.instanceId(), 1L, Long::sum));
    UUID busiest =
        byInstance.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    return cluster.coordinatorOnPort(database.instancePort(busiest));
  }

  // --- jobs --------------------------------------------------------------------------------------

  /** Launches {@code count} jobs, each with its own input, through the coordinators in turn. */
  private List<Launched> launch(String tag, int count, FaultLedger.Row row) {
    return launch(tag, count, row, STEPS);
  }

  private List<Launched> launch(String tag, int count, FaultLedger.Row row, long steps) {
    List<Launched> jobs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      LaunchProofRequest request = newRequest(tag, steps);
      List<String> order = rotated(client.coordinators(), launches.get());
      jobs.add(launched(request, client.launch(request, order, Duration.ofSeconds(30))));
    }
    row.launched += count;
    return jobs;
  }

  /** A request with a new input file and the next client request id under {@code tag}. */
  private LaunchProofRequest newRequest(String tag) {
    return newRequest(tag, STEPS);
  }

  private LaunchProofRequest newRequest(String tag, long steps) {
    int n = launches.getAndIncrement();
    ReferenceInput input = ReferenceInput.withRandomSeed(LANES, steps);
    Path file = FaultCluster.inputsDir(TARGET).resolve(tag + "-" + n + ".toml");
    try {
      Files.createDirectories(file.getParent());
      input.write(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return LaunchProofRequest.newBuilder()
        .setBlockId(tag + "-block-" + n)
        .setComputeCapacity(JOB_CAPACITY)
        .setInputPath(file.toAbsolutePath().toString())
        .setClientRequestId(tag + "-" + n)
        .build();
  }

  private static Launched launched(LaunchProofRequest request, String jobId) {
    try {
      return new Launched(
          UUID.fromString(jobId), request, ReferenceInput.read(Path.of(request.getInputPath())));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until a task of {@code phase} of one of these jobs has just been sent to its prover. */
  private RunningTask awaitRunning(List<Launched> jobs, String phase) {
    return awaitRunning(jobs, phase, JUST_DISPATCHED);
  }

  /** The same, for a task sent less than {@code within} ago. */
  private RunningTask awaitRunning(List<Launched> jobs, String phase, Duration within) {
    return await("a " + phase + " task of " + ids(jobs) + " running")
        .atMost(PHASE_DEADLINE)
        .ignoreExceptionsInstanceOf(RuntimeException.class)
        .until(() -> database.runningTask(ids(jobs), phase, within), Optional::isPresent)
        .get();
  }

  /**
   * Polls JobStatus (through any coordinator that answers) until every job is COMPLETED; fails at
   * once if one FAILED or was CANCELLED, with its history.
   */
  private void awaitCompleted(List<Launched> jobs) {
    Map<UUID, String> states = new LinkedHashMap<>();
    await("jobs " + ids(jobs) + " COMPLETED")
        .atMost(JOB_DEADLINE)
        .ignoreExceptionsInstanceOf(RuntimeException.class)
        .until(
            () -> {
              for (Launched job : jobs) {
                Optional<JobStatus> status = client.jobStatus(job.jobId().toString());
                String state = status.map(JobStatus::getState).orElse("UNREADABLE");
                states.put(job.jobId(), state);
                if (state.equals("FAILED") || state.equals("CANCELLED")) {
                  throw new AssertionError(
                      "job "
                          + job.jobId()
                          + " ended "
                          + state
                          + ": "
                          + status.get().getError().getMessage()
                          + database.timeline(job.jobId()));
                }
              }
              return states;
            },
            seen -> seen.values().stream().allMatch("COMPLETED"::equals));
  }

  /** From the fault to the completion of the last of these jobs. */
  private Duration recoveryOf(List<Launched> jobs, Instant faultAt) {
    Instant last =
        database.jobs(ids(jobs)).values().stream()
            .map(JobRow::finishedAt)
            .max(Instant::compareTo)
            .orElseThrow();
    return last.isAfter(faultAt) ? Duration.between(faultAt, last) : Duration.ZERO;
  }

  /**
   * After one trial: fetches and verifies the proofs of the jobs it launched ({@code fresh}), and
   * checks the invariants over every job of the scenario so far ({@code all}); records the counts
   * and fails with every violation found.
   */
  private void checkTrial(
      FaultLedger.Row row, String tag, List<Launched> all, List<Launched> fresh) {
    for (Launched job : fresh) {
      FinalProofList proof = client.proof(job.jobId().toString());
      VerificationResult verdict = ReferenceVerifier.verify(job.input(), proof);
      assertTrue(verdict.valid(), "proof of job " + job.jobId() + ": " + verdict.summary());
      row.proofsVerified++;
    }
    Invariants.Outcome outcome = Invariants.check(database, tag, ids(all), all.size());
    row.completed = outcome.completed();
    row.duplicateCompletions = outcome.duplicateCompletions();
    if (!outcome.violations().isEmpty()) {
      row.result = "FAIL";
      throw new AssertionError(
          "invariants broken after trial "
              + row.trials
              + " of '"
              + tag
              + "':\n  "
              + String.join("\n  ", outcome.violations()));
    }
  }

  /** Every trial passed its checks. */
  private void finish(FaultLedger.Row row) {
    row.result = "pass";
    say(
        row.fault
            + ": "
            + row.trials
            + " trials, "
            + row.launched
            + " jobs completed, "
            + row.proofsVerified
            + " proofs verified, invariants hold after each trial");
  }

  private static List<Launched> concat(List<Launched> first, List<Launched> second) {
    List<Launched> both = new ArrayList<>(first);
    both.addAll(second);
    return both;
  }

  private static List<UUID> ids(Collection<Launched> jobs) {
    return jobs.stream().map(Launched::jobId).toList();
  }

  private static List<String> rotated(List<String> names, int by) {
    List<String> order = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      order.add(names.get((i + by) % names.size()));
    }
    return order;
  }

  private void say(String line) {
    System.out.printf("[reliability %6.1f s] %s%n", (System.nanoTime() - suiteStart) / 1e9, line);
  }

  private void printLogs(String why) {
    System.out.println(why + "; process logs:");
    if (cluster != null) {
      cluster.logs().forEach(log -> System.out.println("  " + log.toAbsolutePath()));
    }
  }
}
