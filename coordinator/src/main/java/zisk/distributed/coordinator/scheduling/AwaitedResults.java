package zisk.distributed.coordinator.scheduling;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The tasks this coordinator sent whose provers have not answered yet, by job: what lets the report
 * lanes wait for a job's other ranks. The ranks of a phase are sent together and, on equal shares,
 * often answer together; a lone result whose job has another rank still out waits a moment for it,
 * so that both are written in one statement and the phase moves on one round trip sooner.
 *
 * <p>Only ids are kept, as sent. A task that is never answered (its prover was lost, its job
 * cancelled) is forgotten once its job has sent nothing for {@link #FORGET_AFTER_NANOS}.
 */
final class AwaitedResults {

  static final long FORGET_AFTER_NANOS = 60_000_000_000L;
  static final int PRUNE_ABOVE_JOBS = 1024;

  private record Job(Set<String> taskIds, long sentNanos) {}

  private final Map<String, Job> jobs = new ConcurrentHashMap<>();
  private final LongSupplier nanoTime;
  private volatile int pruneAbove = PRUNE_ABOVE_JOBS;

  AwaitedResults() {
    this(System::nanoTime);
  }

  /** With a clock of its own, for tests. */
  AwaitedResults(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /** A task was written to its prover's stream. */
  void sent(String jobId, String taskId) {
    long now = nanoTime.getAsLong();
    jobs.compute(
        jobId,
        (id, job) -> {
          Set<String> taskIds = job == null ? ConcurrentHashMap.newKeySet() : job.taskIds();
          taskIds.add(taskId);
          return new Job(taskIds, now);
        });
    if (jobs.size() > pruneAbove) {
      jobs.values().removeIf(job -> now - job.sentNanos() > FORGET_AFTER_NANOS);
      // Many jobs really in flight: look again only once they doubled (no full scan per send).
      pruneAbove = Math.max(PRUNE_ABOVE_JOBS, 2 * jobs.size());
    }
  }

  /** A prover answered about a task (ids as it sent them: unchecked, and harmless if unknown). */
  void answered(String jobId, String taskId) {
    jobs.computeIfPresent(
        jobId,
        (id, job) -> {
          job.taskIds().remove(taskId);
          return job.taskIds().isEmpty() ? null : job;
        });
  }

  /** Whether a task of the job sent from here is still unanswered. */
  boolean awaited(String jobId) {
    return jobs.containsKey(jobId);
  }
}
