package zisk.distributed.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import zisk.distributed.api.v1.ExecuteTaskRequest;
import zisk.distributed.api.v1.ExecuteTaskResponse;
import zisk.distributed.api.v1.JobStatus;
import zisk.distributed.api.v1.JobStatusRequest;
import zisk.distributed.api.v1.JobStatusResponse;
import zisk.distributed.api.v1.LaunchProofRequest;
import zisk.distributed.api.v1.LaunchProofResponse;
import zisk.distributed.api.v1.TaskType;

/**
 * Launch latency and phase-transition latency, from one pass of jobs run one at a time on two
 * provers of one unit each (so every job has two ranks). For each job it records when LaunchProof
 * was sent, when each phase's first task arrived, and when each result was written; a transition is
 * the first task of a phase minus the latest result of the previous phase sent before it (the two
 * ranks answer at once and race, and the coordinator moves on only after the last of them). The
 * next job is launched once JobStatus says COMPLETED, so both provers are idle again.
 */
final class LatencyRun implements ProverEvents {

  static final int WARM_UP_JOBS = 300;
  private static final Duration JOB_DEADLINE = Duration.ofSeconds(10);

  record Result(
      int warmUpJobs,
      Percentiles launch,
      Percentiles toProve,
      Percentiles toAggregate,
      Percentiles transitions,
      String anomalies) {}

  /** What the provers saw of one job; guarded by its own monitor. */
  private static final class Trace {
    final long[] firstTask = new long[TaskType.values().length];
    final List<Long> contributionsSent = new ArrayList<>();
    final List<Long> proofsSent = new ArrayList<>();
    final CompletableFuture<Void> aggregated = new CompletableFuture<>();
  }

  private final ConcurrentHashMap<String, Trace> traces = new ConcurrentHashMap<>();
  private final ChildCoordinator coordinator;

  private LatencyRun(ChildCoordinator coordinator) {
    this.coordinator = coordinator;
  }

  /**
   * Runs {@link #WARM_UP_JOBS} unmeasured jobs (as many as measured ones if fewer), then {@code
   * jobs} measured ones.
   */
  static Result run(ChildCoordinator coordinator, int jobs) {
    LatencyRun run = new LatencyRun(coordinator);
    try (ProverFleet fleet =
        ProverFleet.connect(
            coordinator.host(), coordinator.port(), "latency", 2, 1, run, Duration.ofSeconds(60))) {
      long[] launch = new long[jobs];
      long[] toProve = new long[jobs];
      long[] toAggregate = new long[jobs];
      int warmUp = Math.min(WARM_UP_JOBS, jobs);
      for (int i = -warmUp; i < jobs; i++) {
        long[] sample = run.oneJob(i);
        if (i >= 0) {
          launch[i] = sample[0];
          toProve[i] = sample[1];
          toAggregate[i] = sample[2];
        }
      }
      long[] transitions = new long[2 * jobs];
      System.arraycopy(toProve, 0, transitions, 0, jobs);
      System.arraycopy(toAggregate, 0, transitions, jobs, jobs);
      return new Result(
          warmUp,
          new Percentiles(launch),
          new Percentiles(toProve),
          new Percentiles(toAggregate),
          new Percentiles(transitions),
          fleet.anomalies());
    }
  }

  /**
   * One job, launch to COMPLETED: {launch to first task, last contribution to PROVE, last proof to
   * AGGREGATE}.
   */
  private long[] oneJob(int n) {
    long launched = System.nanoTime();
    LaunchProofResponse response =
        coordinator
            .api()
            .withDeadlineAfter(JOB_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
            .launchProof(
                LaunchProofRequest.newBuilder()
                    .setBlockId("bench-latency-" + n)
                    .setComputeCapacity(2)
                    .setInputPath("/bench/input")
                    .build());
    if (response.hasError()) {
      throw new BenchException(
          "LaunchProof answered "
              + response.getError().getCode()
              + ": "
              + response.getError().getMessage());
    }
    String jobId = response.getJobId();
    Trace trace = trace(jobId);
    try {
      trace.aggregated.get(JOB_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new BenchException(
          "job "
              + jobId
              + " did not reach AGGREGATE within "
              + JOB_DEADLINE.toSeconds()
              + " s; JobStatus: "
              + status(jobId));
    } catch (InterruptedException | ExecutionException e) {
      throw new BenchException("interrupted waiting for job " + jobId, e);
    }
    awaitCompleted(jobId);
    traces.remove(jobId);
    synchronized (trace) {
      long firstContribution = trace.firstTask[TaskType.PARTIAL_CONTRIBUTION.getNumber()];
      long firstProve = trace.firstTask[TaskType.PROVE.getNumber()];
      long firstAggregate = trace.firstTask[TaskType.AGGREGATE.getNumber()];
      return new long[] {
        firstContribution - launched,
        firstProve - latestBefore(trace.contributionsSent, firstProve, jobId),
        firstAggregate - latestBefore(trace.proofsSent, firstAggregate, jobId)
      };
    }
  }

  /** The latest send time before {@code arrival}: the result that let the coordinator move on. */
  static long latestBefore(List<Long> sends, long arrival, String jobId) {
    return sends.stream()
        .filter(sent -> sent <= arrival)
        .mapToLong(Long::longValue)
        .max()
        .orElseThrow(
            () ->
                new BenchException(
                    "job " + jobId + ": a phase began before any result of the previous one"));
  }

  private void awaitCompleted(String jobId) {
    String[] last = {""};
    boolean completed =
        Waits.until(
            () -> {
              JobStatus job = status(jobId);
              last[0] = job.getState();
              if (List.of("FAILED", "CANCELLED").contains(last[0])) {
                throw new BenchException(
                    "job " + jobId + " ended " + last[0] + ": " + job.getError().getMessage());
              }
              return "COMPLETED".equals(last[0]);
            },
            Duration.ofMillis(1),
            JOB_DEADLINE);
    if (!completed) {
      throw new BenchException(
          "job "
              + jobId
              + " was not COMPLETED within "
              + JOB_DEADLINE.toSeconds()
              + " s of its final proof (state "
              + last[0]
              + ")");
    }
  }

  private JobStatus status(String jobId) {
    JobStatusResponse response =
        coordinator
            .api()
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .jobStatus(JobStatusRequest.newBuilder().setJobId(jobId).build());
    if (response.hasError()) {
      throw new BenchException(
          "JobStatus answered "
              + response.getError().getCode()
              + ": "
              + response.getError().getMessage());
    }
    return response.getJob();
  }

  private Trace trace(String jobId) {
    return traces.computeIfAbsent(jobId, id -> new Trace());
  }

  @Override
  public void taskReceived(ExecuteTaskRequest task, long nanos) {
    Trace trace = trace(task.getJobId());
    synchronized (trace) {
      int type = task.getTaskType().getNumber();
      if (trace.firstTask[type] == 0) {
        trace.firstTask[type] = nanos;
      }
    }
  }

  @Override
  public void resultSent(ExecuteTaskResponse result, long nanos) {
    Trace trace = trace(result.getJobId());
    synchronized (trace) {
      switch (result.getTaskType()) {
        case PARTIAL_CONTRIBUTION -> trace.contributionsSent.add(nanos);
        case PROVE -> trace.proofsSent.add(nanos);
        case AGGREGATE -> trace.aggregated.complete(null);
        default -> {}
      }
    }
  }
}
