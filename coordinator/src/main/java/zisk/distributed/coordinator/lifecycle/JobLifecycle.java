package zisk.distributed.coordinator.lifecycle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.coordinator.store.JobDao;
import zisk.distributed.coordinator.store.JobDao.LaunchedJob;
import zisk.distributed.coordinator.store.JobDao.QueuedJob;
import zisk.distributed.coordinator.store.JobDao.RunningJob;
import zisk.distributed.coordinator.store.NewJob;
import zisk.distributed.coordinator.store.Phase;
import zisk.distributed.coordinator.store.ProverDao.ReleasedProver;
import zisk.distributed.coordinator.store.Rows;
import zisk.distributed.coordinator.store.Store;
import zisk.distributed.coordinator.store.SuccessDao.RecordedSuccess;
import zisk.distributed.coordinator.store.SuccessDao.ReportedSuccess;
import zisk.distributed.coordinator.store.TaskDao.ReportedTask;
import zisk.distributed.coordinator.store.TaskDao.StartedAttempt;
import zisk.distributed.coordinator.store.TaskInputs;
import zisk.distributed.coordinator.store.Tx;
import zisk.distributed.coordinator.verification.ProofVerdict;

/**
 * The job state machine, top to bottom:
 *
 * <pre>
 *   launch ──► QUEUED ──start──► RUNNING: PARTIAL_CONTRIBUTION ──► PROVE ──► AGGREGATE ──► COMPLETED
 *                 ▲                 │ task error, final proof refused, prover lost (or its
 *                 │                 │ task past its deadline: TaskTimeout) and its rank not
 *                 │                 │ recomputed (RankRecovery)
 *                 └──── failAttempt ┴──► FAILED (no attempts left)
 *   cancel: QUEUED or RUNNING ──► CANCELLED
 * </pre>
 *
 * Each transition runs inside one transaction ({@link Tx}), locks the job row first (then tasks,
 * then provers: the lock order everywhere), checks the state it expects, and answers the {@link
 * Effects} to apply after the commit. New tasks for provers whose stream this coordinator holds are
 * written DISPATCHED in the same transaction and sent right after the commit, so a phase transition
 * costs one commit. The hot path, a success and what follows it (the next phase, or completion), is
 * one SQL function ({@code zisk_record_success}, migration V14; {@link Successes} reads its
 * answer), and a plain success is recorded with its checks in one statement ({@link
 * #recordAtOnce}): one round trip, which outside a transaction is also the commit.
 */
public final class JobLifecycle {

  private static final Logger log = LoggerFactory.getLogger(JobLifecycle.class);

  private final Store store;
  private final UUID instanceId;
  private final Quarantine quarantine;
  private final RankRecovery ranks;
  private final ReportChecks checks;
  private final QueueRoom queueRoom = new QueueRoom();

  /**
   * @param instanceId this coordinator: tasks for provers whose rows name it are written DISPATCHED
   * @param quarantine counts provers' faults and successes
   * @param rankReplacementWait how long a lost prover's rank waits for a replacement
   */
  public JobLifecycle(
      Store store, UUID instanceId, Quarantine quarantine, Duration rankReplacementWait) {
    this.store = store;
    this.instanceId = instanceId;
    this.quarantine = quarantine;
    this.ranks = new RankRecovery(instanceId, rankReplacementWait);
    this.checks = new ReportChecks(instanceId);
  }

  public JobLifecycle(Store store, UUID instanceId) {
    this(store, instanceId, Quarantine.defaults());
  }

  public JobLifecycle(Store store, UUID instanceId, Quarantine quarantine) {
    this(store, instanceId, quarantine, RankRecovery.DEFAULT_WAIT);
  }

  /** Lost ranks and their replacements (admission gives waiting ranks idle provers). */
  public RankRecovery ranks() {
    return ranks;
  }

  // ---- launch: a new QUEUED job

  public LaunchOutcome launch(NewJob job) {
    return store.inTransaction(tx -> launch(tx, job, Integer.MAX_VALUE));
  }

  /**
   * The same, inside the caller's transaction (which may go on to start the job: Admission).
   *
   * @param maxQueued QUEUED jobs beyond which nothing is created (QueueFull)
   */
  public LaunchOutcome launch(Tx tx, NewJob job, int maxQueued) {
    // Touching the input holds off its deletion until this job, which needs it, is committed.
    if (job.inputId() != null && tx.inputs().touch(job.inputId()).isEmpty()) {
      return new LaunchOutcome.UnknownInput();
    }
    JobDao.Inserted inserted = tx.jobs().insert(job, maxQueued, queueRoom.mustCount(maxQueued));
    inserted.queued().ifPresent(queueRoom::counted);
    if (inserted.jobId().isPresent()) {
      queueRoom.launched();
      return new LaunchOutcome.Created(inserted.jobId().get());
    }
    // Not created: the queue is full, or the client request id was used (the job of the first
    // call, which a retry finds even when the queue is full).
    Optional<LaunchedJob> existing =
        job.clientRequestIdOrNull() == null
            ? Optional.empty()
            : tx.jobs().findLaunch(job.clientRequestIdOrNull());
    if (existing.isEmpty()) {
      if (inserted.room(maxQueued)) {
        throw new IllegalStateException("a job with room in the queue was not created");
      }
      return new LaunchOutcome.QueueFull();
    }
    if (!job.launchedBy().equals(Optional.ofNullable(existing.get().launchedBy()))) {
      return new LaunchOutcome.TakenByAnother();
    }
    boolean sameRequest =
        existing.get().blockId().equals(job.blockId())
            && existing.get().inputPath().equals(job.inputPath())
            && Objects.equals(existing.get().inputId(), job.inputId())
            && existing.get().computeCapacity() == job.computeCapacity();
    return sameRequest
        ? new LaunchOutcome.Existing(existing.get().jobId())
        : new LaunchOutcome.Conflict(existing.get().jobId());
  }

  // ---- start: QUEUED to RUNNING on the provers admission chose

  /**
   * Starts the job's next attempt, inside admission's transaction (job and provers locked there).
   *
   * @param proverIds the provers by rank
   * @param allocation each rank's share of the compute units, adding up to the job's capacity
   */
  public Effects start(Tx tx, QueuedJob job, List<String> proverIds, List<Integer> allocation) {
    int attempt = job.attempt() + 1;
    String names = String.join(", ", proverIds);
    String detail =
        "attempt %d on %d prover(s): %s; allocation %s"
            .formatted(attempt, proverIds.size(), names, allocation);
    StartedAttempt started =
        tx.tasks()
            .startAttempt(
                job.jobId(),
                attempt,
                proverIds.toArray(String[]::new),
                allocation.toArray(Integer[]::new),
                instanceId,
                detail);
    if (started.started() != 1
        || started.reserved() != proverIds.size()
        || started.tasks().size() != proverIds.size()) {
      // Admission holds the job's and the provers' locks: anything else is a bug.
      throw new IllegalStateException(
          "starting job %s on %d locked prover(s) changed %d job(s), %d prover(s), %d task(s)"
              .formatted(
                  job.jobId(),
                  proverIds.size(),
                  started.started(),
                  started.reserved(),
                  started.tasks().size()));
    }
    log.info(
        "Job {} started (attempt {}) on {} with allocation {}",
        job.jobId(),
        attempt,
        names,
        allocation);
    return Effects.none()
        .written(
            started.tasks(),
            new TaskInputs.Contribution(
                job.blockId(), job.inputPath(), job.computeCapacity(), allocation, job.inputId()));
  }

  // ---- report: a result or an error from a prover

  /**
   * Accepts a prover's report about a task. It counts only when it comes from the prover that holds
   * the task, in its current session on this coordinator, for a DISPATCHED task of the job's
   * running attempt; anything else (an unknown or forged task, the wrong prover, job or phase, a
   * duplicate, a report after a cancel) changes nothing, and its reason goes into the effects, to
   * be logged once after the commit ({@link ReportChecks}).
   */
  public Effects report(Tx tx, TaskReport report) {
    Effects effects = Effects.none();
    Optional<ReportedTask> checked = checks.check(tx, report, effects);
    if (checked.isEmpty()) {
      return effects;
    }
    ReportedTask task = checked.get();
    if (report.busy()) {
      BusyAnswer.defer(tx, task);
    } else if (!report.success()) {
      failTask(
          tx,
          task,
          report.errorMessage().isBlank() ? "task failed" : report.errorMessage(),
          !report.inputRefused(),
          effects);
    } else if (report.resultPhase() != task.phase()) {
      failTask(tx, task, "the result does not match the task type " + task.phase(), true, effects);
    } else if (task.phase() == Phase.AGGREGATE && !report.verdict().accepted()) {
      RefusedProof refused = RefusedProof.record(tx, task, report.verdict(), quarantine);
      effects.taskEnded(task.phase(), "invalid_proof");
      RunningJob job = new RunningJob(task.jobId(), task.attempt(), task.jobMaxAttempts());
      failAttempt(tx, job, task.proverId(), refused.cause(), refused.reason(), effects);
    } else {
      succeed(tx, task, report.result(), report.verdict(), effects);
    }
    return effects;
  }

  /** Whether {@link #recordAtOnce} may take the report: a success, as far as it says. */
  public static boolean recordableAtOnce(TaskReport report) {
    return Successes.plain(report).isPresent();
  }

  /** What {@link #recordAtOnce} did: its effects, and the reports it left, by position. */
  public record AtOnce(Effects effects, List<Integer> left) {}

  /**
   * The common case in one statement: each success that passes every check of {@link #report}, from
   * a prover without a quarantine record, for a task that is not a recomputed rank, is recorded at
   * once ({@code zisk_report_successes}), in the order given. The other reports are left,
   * unchanged, for {@link #report}. Being one statement, it may run outside a transaction, where it
   * is its own commit: reports that arrive together cost one round trip.
   */
  public AtOnce recordAtOnce(Tx tx, List<TaskReport> reports) {
    List<Integer> left = new ArrayList<>();
    List<Integer> plainAt = new ArrayList<>();
    List<ReportedSuccess> plain = new ArrayList<>();
    for (int i = 0; i < reports.size(); i++) {
      Optional<ReportedSuccess> success = Successes.plain(reports.get(i));
      if (success.isPresent()) {
        plainAt.add(i);
        plain.add(success.get());
      } else {
        left.add(i);
      }
    }
    Effects effects = Effects.none();
    Map<UUID, RecordedSuccess> recorded = tx.successes().report(plain, instanceId);
    for (int j = 0; j < plain.size(); j++) {
      RecordedSuccess success = recorded.remove(plain.get(j).taskId());
      if (success != null) {
        Successes.apply(success, effects);
      } else {
        left.add(plainAt.get(j)); // not taken, or a repeat of one taken: the checks say why
      }
    }
    left.sort(null);
    return new AtOnce(effects, left);
  }

  private void succeed(
      Tx tx, ReportedTask task, byte[] result, ProofVerdict verdict, Effects effects) {
    if (task.phase() == Phase.PARTIAL_CONTRIBUTION
        && task.replacement() > 0
        && ranks.recomputed(tx, task, result, effects)) {
      return; // a lost rank recomputed: checked against the contribution it made before
    }
    RecordedSuccess recorded =
        tx.successes().record(task.taskId(), result, instanceId, verdict.detail());
    if (task.proverHasFaults()) {
      quarantine.success(tx, task.proverId());
    }
    Successes.apply(recorded, effects);
  }

  // ---- failures: a task error, a refused final proof, a lost prover

  /**
   * @param proversFault false when the task failed on its input (the launcher's fault): no
   *     quarantine fault, or anyone could quarantine the cluster with bad inputs
   */
  private void failTask(
      Tx tx, ReportedTask task, String reason, boolean proversFault, Effects effects) {
    Rows.exactlyOne(tx.tasks().fail(task.taskId(), reason), "failing task " + task.taskId());
    effects.taskEnded(task.phase(), "failed");
    String failure = "prover " + task.proverId() + " failed " + task.phase() + ": " + reason;
    RunningJob job = new RunningJob(task.jobId(), task.attempt(), task.jobMaxAttempts());
    failAttempt(tx, job, task.proverId(), AttemptFailure.TASK_ERROR, failure, effects);
    if (proversFault) {
      quarantine.fault(tx, task.proverId(), Quarantine.Fault.TASK_FAILED, failure);
    }
  }

  /**
   * A prover's part of a job is lost with the prover (stream gone for good, silent, or back without
   * the job's state): its open task is LOST, and its rank waits for a replacement ({@link
   * RankRecovery}) or, where it cannot, the attempt fails as an infrastructure failure, which
   * re-queues the job while attempts remain. Runs inside the caller's transaction.
   */
  public void loseProver(Tx tx, String proverId, UUID jobId, String reason, Effects effects) {
    loseProver(tx, proverId, jobId, reason, AttemptFailure.PROVER_LOST, effects);
  }

  /** The same, for a prover lost as {@code cause} (a task past its deadline: TIMED_OUT). */
  void loseProver(
      Tx tx, String proverId, UUID jobId, String reason, AttemptFailure cause, Effects effects) {
    Optional<RunningJob> job = tx.jobs().lockRunning(jobId);
    if (job.isEmpty()) {
      // The job already ended; nothing depends on its provers any more.
      tx.provers().releaseAll(jobId);
      return;
    }
    tx.tasks().lose(proverId, jobId, job.get().attempt(), reason);
    if (cause == AttemptFailure.TIMED_OUT) {
      quarantine.fault(tx, proverId, Quarantine.Fault.TIMED_OUT, reason);
    }
    if (!ranks.lose(tx, job.get(), proverId, reason, effects)) {
      failAttempt(tx, job.get(), proverId, cause, reason, effects);
    }
  }

  private static void failAttempt(
      Tx tx, RunningJob job, String culprit, AttemptFailure cause, String reason, Effects effects) {
    AttemptEnd.fail(tx, job, culprit, cause, reason, effects);
  }

  // ---- cancel

  /**
   * @param tokenName the token that asks, for job_events; null without tokens
   * @param ownJobsOnly whether that token may cancel only the jobs it launched: any other is
   *     NotFound, so it learns nothing of them
   */
  public CancelOutcome cancel(UUID jobId, String reason, String tokenName, boolean ownJobsOnly) {
    String launchedBy = ownJobsOnly ? tokenName : null;
    return store.inTransaction(
        tx -> {
          if (!Rows.one(
              tx.jobs().cancel(jobId, reason, tokenName, launchedBy), "cancelling job " + jobId)) {
            return tx.jobs()
                .find(jobId)
                .filter(job -> launchedBy == null || launchedBy.equals(job.launchedBy()))
                .<CancelOutcome>map(CancelOutcome.AlreadyFinished::new)
                .orElseGet(CancelOutcome.NotFound::new);
          }
          tx.tasks().cancelOpen(jobId);
          Effects effects = Effects.none().job(Effects.JobEvent.CANCELLED).admit();
          for (ReleasedProver released : tx.provers().releaseAll(jobId)) {
            effects.cancel(released.proverId(), jobId, released.lastTaskId(), reason);
          }
          log.info("Job {} CANCELLED: {}", jobId, reason);
          return new CancelOutcome.Cancelled(tx.jobs().find(jobId).orElseThrow(), effects);
        });
  }
}
