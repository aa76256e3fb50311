package zisk.distributed.worker.testing;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
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
import zisk.distributed.worker.prover.ProverBackend;

/**
 * A prover backend for tests: answers each phase with small, predictable values, and can be told
 * to block (interruptibly, on a {@link CountDownLatch}) or to fail in a phase. Records what it was
 * asked, what was interrupted and what was released.
 */
public final class FakeBackend implements ProverBackend {

  /** What a phase does before it answers. */
  @FunctionalInterface
  public interface Behavior {
    void run(String jobId) throws Exception;
  }

  private final Map<TaskType, Behavior> behaviors = new ConcurrentHashMap<>();
  /** "PHASE job" for every phase call, at its start. */
  public final BlockingQueue<String> started = new LinkedBlockingQueue<>();
  /** "PHASE job" for every phase call that returned normally. */
  public final List<String> completed = new CopyOnWriteArrayList<>();
  /** "PHASE job" for every phase call that ended with InterruptedException. */
  public final List<String> interrupted = new CopyOnWriteArrayList<>();
  /** Job ids, in release order. */
  public final List<String> released = new CopyOnWriteArrayList<>();
  /** Threads the phases ran on. */
  public final List<Thread> threads = new CopyOnWriteArrayList<>();

  public FakeBackend on(TaskType phase, Behavior behavior) {
    behaviors.put(phase, behavior);
    return this;
  }

  /** Makes {@code phase} wait until {@code gate} opens (interruptibly). */
  public FakeBackend blockOn(TaskType phase, CountDownLatch gate) {
    return on(phase, jobId -> gate.await());
  }

  /** Waits until a phase call starts and answers its "PHASE job". */
  public String awaitStarted() throws InterruptedException {
    String call = started.poll(Deadlines.WAIT.toMillis(), TimeUnit.MILLISECONDS);
    if (call == null) {
      throw new AssertionError("no backend call started within " + Deadlines.WAIT);
    }
    return call;
  }

  public void awaitReleased(String jobId) {
    awaitReleased(jobId, Deadlines.WAIT);
  }

  public void awaitReleased(String jobId, Duration deadline) {
    await("release of " + jobId).atMost(deadline).until(() -> List.copyOf(released), jobs -> jobs.contains(jobId));
  }

  @Override
  public ChallengesList contribute(String jobId, ContributionParams params) throws Exception {
    run(TaskType.PARTIAL_CONTRIBUTION, jobId);
    return ChallengesList.newBuilder()
        .addChallenges(Challenges.newBuilder().setProverIndex(params.getRankId()).setAirgroupId(0)
            .addChallenge(params.getRankId() + 100L))
        .build();
  }

  @Override
  public ProofList prove(String jobId, ProveParams params) throws Exception {
    run(TaskType.PROVE, jobId);
    return ProofList.newBuilder()
        .addProofs(Proof.newBuilder().setProverIndex(0).setAirgroupId(0).addValues(params.getChallengesCount()))
        .build();
  }

  @Override
  public FinalProofList aggregate(String jobId, AggParams params) throws Exception {
    run(TaskType.AGGREGATE, jobId);
    return FinalProofList.newBuilder()
        .addFinalProofs(FinalProof.newBuilder().addValues(params.getAggProofs().getProofsCount()))
        .build();
  }

  @Override
  public void release(String jobId) {
    released.add(jobId);
  }

  private void run(TaskType phase, String jobId) throws Exception {
    String call = phase + " " + jobId;
    threads.add(Thread.currentThread());
    started.add(call);
    try {
      Behavior behavior = behaviors.get(phase);
      if (behavior != null) {
        behavior.run(jobId);
      }
    } catch (InterruptedException e) {
      interrupted.add(call);
      throw e;
    }
    completed.add(call);
  }
}
