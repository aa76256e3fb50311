package zisk.distributed.worker.testing;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import zisk.distributed.api.v1.AggParams;
import zisk.distributed.api.v1.Challenges;
import zisk.distributed.api.v1.ChallengesList;
import zisk.distributed.api.v1.ContributionParams;
import zisk.distributed.api.v1.FinalProof;
import zisk.distributed.api.v1.FinalProofList;
import zisk.distributed.api.v1.Proof;
import zisk.distributed.api.v1.ProofList;
import zisk.distributed.api.v1.ProveParams;
import zisk.distributed.api.v1.TaskType;
import zisk.distributed.common.inputs.InputFile;
import zisk.distributed.worker.prover.ProgressListener;
import zisk.distributed.worker.prover.ProverBackend;
import zisk.distributed.worker.prover.reference.ReferenceProverBackend;

/**
 * The prover backend of the worker's tests and of the end-to-end tests in cli (shipped in the
 * worker's test-jar, so it is written once). It answers each phase either with small canned values
 * ({@code new ControlledBackend()}: no input file needed) or through a real backend ({@link
 * #overReference()}: proofs anyone can verify), and has knobs: a phase can wait on a gate
 * (interruptibly, as a real prover must), run a test's own behaviour, or fail. Every call is
 * recorded, so a test can see which phases ran for which job, on which thread, which were
 * interrupted and which jobs were released.
 */
public final class ControlledBackend implements ProverBackend {

  /** One phase call: its phase and job. */
  public record Call(TaskType phase, String jobId) {
    @Override
    public String toString() {
      return phase + " " + jobId;
    }
  }

  /** What a phase does before it answers. */
  @FunctionalInterface
  public interface Behavior {
    void run(String jobId) throws Exception;
  }

  private final ProverBackend answers;
  private final Map<TaskType, CountDownLatch> gates = new ConcurrentHashMap<>();
  private final Map<TaskType, Behavior> behaviors = new ConcurrentHashMap<>();
  private final Map<TaskType, String> failures = new ConcurrentHashMap<>();
  private final List<Call> started = new CopyOnWriteArrayList<>();
  private final BlockingQueue<Call> notYetAwaited = new LinkedBlockingQueue<>();
  private final List<Call> interrupted = new CopyOnWriteArrayList<>();
  private final List<Call> finished = new CopyOnWriteArrayList<>();
  private final List<String> released = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();

  /** Answers with small canned values that depend only on the parameters. */
  public ControlledBackend() {
    this(new CannedAnswers());
  }

  /** Answers through {@code answers}, which it releases and closes as well. */
  public ControlledBackend(ProverBackend answers) {
    this.answers = answers;
  }

  /** Answers through the built-in reference prover: real proofs of real inputs. */
  public static ControlledBackend overReference() {
    return new ControlledBackend(new ReferenceProverBackend());
  }

  /** Calls in {@code phase} wait, interruptibly, until the returned gate opens. */
  public CountDownLatch blockIn(TaskType phase) {
    return gates.computeIfAbsent(phase, ignored -> new CountDownLatch(1));
  }

  /** Calls in {@code phase} wait, interruptibly, until {@code gate} opens. */
  public ControlledBackend blockOn(TaskType phase, CountDownLatch gate) {
    gates.put(phase, gate);
    return this;
  }

  /**
   * Calls in {@code phase} run {@code behavior} (after any gate of that phase opens) before
   * answering.
   */
  public ControlledBackend on(TaskType phase, Behavior behavior) {
    behaviors.put(phase, behavior);
    return this;
  }

  /**
   * Calls in {@code phase} fail with {@code message} (after any gate and behaviour of that phase).
   */
  public ControlledBackend failIn(TaskType phase, String message) {
    failures.put(phase, message);
    return this;
  }

  /** Opens every gate: blocked calls go on, later calls do not block. */
  public void openGates() {
    gates.values().forEach(CountDownLatch::countDown);
  }

  /** Every phase call so far, in start order. */
  public List<Call> calls() {
    return List.copyOf(started);
  }

  public List<Call> callsFor(String jobId) {
    return started.stream().filter(call -> call.jobId().equals(jobId)).toList();
  }

  /** Calls that ended with InterruptedException, in the order they did. */
  public List<Call> interruptedCalls() {
    return List.copyOf(interrupted);
  }

  /** Calls that returned a result, in the order they did. */
  public List<Call> finishedCalls() {
    return List.copyOf(finished);
  }

  /** Job ids, in release order. */
  public List<String> released() {
    return List.copyOf(released);
  }

  /** The threads the phase calls ran on, one entry per call. */
  public List<Thread> threads() {
    return List.copyOf(threads);
  }

  /** Waits for the next phase call to start (after those already awaited here), and answers it. */
  public Call awaitStarted() throws InterruptedException {
    Call call = notYetAwaited.poll(Deadlines.WAIT.toMillis(), TimeUnit.MILLISECONDS);
    if (call == null) {
      throw new AssertionError(
          "no backend call started within " + Deadlines.WAIT + "; calls so far: " + started);
    }
    return call;
  }

  /** Waits until a call in {@code phase} has started, and answers the first one. */
  public Call awaitStarted(TaskType phase, Duration timeout) {
    return await(phase + " call to start")
        .atMost(timeout)
        .until(
            () -> started.stream().filter(call -> call.phase() == phase).findFirst(),
            Optional::isPresent)
        .orElseThrow();
  }

  public void awaitReleased(String jobId) {
    awaitReleased(jobId, Deadlines.WAIT);
  }

  public void awaitReleased(String jobId, Duration deadline) {
    await("release of " + jobId)
        .atMost(deadline)
        .until(this::released, jobs -> jobs.contains(jobId));
  }

  @Override
  public void onProgress(ProgressListener listener) {
    answers.onProgress(listener);
  }

  @Override
  public ChallengesList contribute(String jobId, ContributionParams params, InputFile input)
      throws Exception {
    return run(
        TaskType.PARTIAL_CONTRIBUTION, jobId, () -> answers.contribute(jobId, params, input));
  }

  @Override
  public ProofList prove(String jobId, ProveParams params) throws Exception {
    return run(TaskType.PROVE, jobId, () -> answers.prove(jobId, params));
  }

  @Override
  public FinalProofList aggregate(String jobId, AggParams params) throws Exception {
    return run(TaskType.AGGREGATE, jobId, () -> answers.aggregate(jobId, params));
  }

  @Override
  public void release(String jobId) {
    released.add(jobId);
    answers.release(jobId);
  }

  /** Opens the gates, so no call stays blocked, and closes the backend answering. */
  @Override
  public void close() {
    openGates();
    answers.close();
  }

  /** Records the call, waits at its gate, runs its behaviour, fails if told to, else answers. */
  private <T> T run(TaskType phase, String jobId, Callable<T> answer) throws Exception {
    Call call = new Call(phase, jobId);
    threads.add(Thread.currentThread());
    started.add(call);
    notYetAwaited.add(call);
    T result;
    try {
      CountDownLatch gate = gates.get(phase);
      if (gate != null) {
        gate.await();
      }
      Behavior behavior = behaviors.get(phase);
      if (behavior != null) {
        behavior.run(jobId);
      }
      String failure = failures.get(phase);
      if (failure != null) {
        throw new IllegalStateException(failure);
      }
      result = answer.call();
    } catch (InterruptedException e) {
      interrupted.add(call);
      throw e;
    }
    finished.add(call);
    return result;
  }

  /**
   * Small predictable answers: a challenge of rank + 100, a proof counting the challenges, and so
   * on.
   */
  private static final class CannedAnswers implements ProverBackend {

    @Override
    public ChallengesList contribute(String jobId, ContributionParams params, InputFile input) {
      return ChallengesList.newBuilder()
          .addChallenges(
              Challenges.newBuilder()
                  .setProverIndex(params.getRankId())
                  .setAirgroupId(0)
                  .addChallenge(params.getRankId() + 100L))
          .build();
    }

    @Override
    public ProofList prove(String jobId, ProveParams params) {
      return ProofList.newBuilder()
          .addProofs(
              Proof.newBuilder()
                  .setProverIndex(0)
                  .setAirgroupId(0)
                  .addValues(params.getChallengesCount()))
          .build();
    }

    @Override
    public FinalProofList aggregate(String jobId, AggParams params) {
      return FinalProofList.newBuilder()
          .addFinalProofs(FinalProof.newBuilder().addValues(params.getAggProofs().getProofsCount()))
          .build();
    }

    @Override
    public void release(String jobId) {}
  }
}
