package zisk.distributed.e2e;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import zisk.distributed.api.v1.AggParams;
import zisk.distributed.api.v1.ChallengesList;
import zisk.distributed.api.v1.ContributionParams;
import zisk.distributed.api.v1.FinalProofList;
import zisk.distributed.api.v1.ProofList;
import zisk.distributed.api.v1.ProveParams;
import zisk.distributed.api.v1.TaskType;
import zisk.distributed.worker.prover.ProverBackend;
import zisk.distributed.worker.prover.reference.ReferenceProverBackend;

/**
 * The reference prover, with knobs for tests: a phase can be made to wait on a gate
 * (interruptibly, as a real prover must be) or to fail, and every call is recorded, so a test can
 * see which phases ran for which job and which were interrupted.
 */
final class ControlledBackend implements ProverBackend {

  /** One phase call: its phase and job. */
  record Call(TaskType phase, String jobId) {}

  private final ReferenceProverBackend reference = new ReferenceProverBackend();
  private final Map<TaskType, CountDownLatch> gates = new ConcurrentHashMap<>();
  private final Map<TaskType, String> failures = new ConcurrentHashMap<>();
  private final List<Call> started = new CopyOnWriteArrayList<>();
  private final List<Call> interrupted = new CopyOnWriteArrayList<>();
  private final List<Call> finished = new CopyOnWriteArrayList<>();

  /** Calls in {@code phase} wait, interruptibly, until the returned gate opens. */
  CountDownLatch blockIn(TaskType phase) {
    return gates.computeIfAbsent(phase, ignored -> new CountDownLatch(1));
  }

  /** Calls in {@code phase} fail with {@code message} (after any gate of that phase opens). */
  ControlledBackend failIn(TaskType phase, String message) {
    failures.put(phase, message);
    return this;
  }

  /** Opens every gate: blocked calls go on, later calls do not block. */
  void openGates() {
    gates.values().forEach(CountDownLatch::countDown);
  }

  /** Every phase call so far, in start order. */
  List<Call> calls() {
    return List.copyOf(started);
  }

  List<Call> callsFor(String jobId) {
    return started.stream().filter(call -> call.jobId().equals(jobId)).toList();
  }

  List<Call> interruptedCalls() {
    return List.copyOf(interrupted);
  }

  /** Calls that returned a result, in the order they did. */
  List<Call> finishedCalls() {
    return List.copyOf(finished);
  }

  /** Waits until a call in {@code phase} has started, and answers it. */
  Call awaitStarted(TaskType phase, Duration timeout) {
    return await(phase + " call to start").atMost(timeout)
        .until(() -> started.stream().filter(call -> call.phase() == phase).findFirst(), Optional::isPresent)
        .orElseThrow();
  }

  @Override
  public ChallengesList contribute(String jobId, ContributionParams params) throws Exception {
    enter(TaskType.PARTIAL_CONTRIBUTION, jobId);
    return finish(TaskType.PARTIAL_CONTRIBUTION, jobId, reference.contribute(jobId, params));
  }

  @Override
  public ProofList prove(String jobId, ProveParams params) throws Exception {
    enter(TaskType.PROVE, jobId);
    return finish(TaskType.PROVE, jobId, reference.prove(jobId, params));
  }

  @Override
  public FinalProofList aggregate(String jobId, AggParams params) throws Exception {
    enter(TaskType.AGGREGATE, jobId);
    return finish(TaskType.AGGREGATE, jobId, reference.aggregate(jobId, params));
  }

  @Override
  public void release(String jobId) {
    reference.release(jobId);
  }

  @Override
  public void close() {
    openGates();
    reference.close();
  }

  private <T> T finish(TaskType phase, String jobId, T result) {
    finished.add(new Call(phase, jobId));
    return result;
  }

  private void enter(TaskType phase, String jobId) throws InterruptedException {
    Call call = new Call(phase, jobId);
    started.add(call);
    CountDownLatch gate = gates.get(phase);
    if (gate != null) {
      try {
        gate.await();
      } catch (InterruptedException e) {
        interrupted.add(call);
        throw e;
      }
    }
    String failure = failures.get(phase);
    if (failure != null) {
      throw new IllegalStateException(failure);
    }
  }
}
