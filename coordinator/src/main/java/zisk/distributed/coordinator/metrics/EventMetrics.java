package zisk.distributed.coordinator.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import zisk.distributed.coordinator.lifecycle.Effects;
import zisk.distributed.coordinator.store.Phase;

/**
 * Counts what this coordinator's committed transitions did, where their effects are applied (after
 * the commit: a rolled-back transition counts nothing). Per coordinator: sum over instances in
 * queries. Labels come from small fixed sets (phases, outcomes, error codes), never ids.
 */
public final class EventMetrics {

  /** The error codes a failed attempt may have (AttemptFailure), exported at 0 from the start. */
  static final List<String> CAUSES =
      List.of("prover_error", "prover_lost", "invalid_proof", "verifier_failed", "task_timed_out");

  private final MeterRegistry registry;
  private final Counter launched;
  private final Counter completed;
  private final Counter cancelled;
  private final Counter heartbeats;
  private final Timer transitionLatency;

  public EventMetrics(MeterRegistry registry) {
    this.registry = registry;
    launched = counter("zisk.jobs.launched", "Jobs created by LaunchProof");
    completed = counter("zisk.jobs.completed", "Jobs COMPLETED with a verified final proof");
    cancelled = counter("zisk.jobs.cancelled", "Jobs CANCELLED by CancelJob");
    heartbeats =
        counter("zisk.heartbeats.received", "Heartbeat acknowledgements received from provers");
    transitionLatency =
        Timer.builder("zisk.transition.latency")
            .description(
                "From the start of a transition's transaction to its effects applied after commit")
            .serviceLevelObjectives(
                buckets(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
            .register(registry);
    for (Phase phase : Phase.values()) {
      for (String outcome : new String[] {"succeeded", "failed", "timed_out", "invalid_proof"}) {
        tasks(phase.name(), outcome);
      }
      phases(phase);
      if (phase != Phase.AGGREGATE) {
        phaseDuration(phase);
      }
    }
    for (String cause : CAUSES) {
      failedAttempts(cause, true);
      failedAttempts(cause, false);
      failedJobs(cause);
    }
    for (String channel : List.of("dispatch", "cancel", "job_event", "progress", "webhook")) {
      notification(channel, 0);
    }
  }

  /** Counts what one committed transition did; called where its effects are applied. */
  public void applied(Effects effects) {
    Effects.Events events = effects.events();
    if (events.isEmpty() && effects.toSend().isEmpty() && effects.dispatchTo().isEmpty()) {
      return; // a round that changed nothing: no latency worth recording
    }
    for (Effects.JobEvent job : events.jobs()) {
      switch (job) {
        case LAUNCHED -> launched.increment();
        case COMPLETED -> completed.increment();
        case CANCELLED -> cancelled.increment();
      }
    }
    for (Effects.TaskEnd task : events.tasks()) {
      tasks(task.phase().name(), task.outcome()).increment();
    }
    for (Effects.FailedAttempt attempt : events.failedAttempts()) {
      String cause = attempt.cause().toLowerCase(Locale.ROOT);
      failedAttempts(cause, attempt.retried()).increment();
      if (!attempt.retried()) {
        failedJobs(cause).increment();
      }
    }
    for (Phase phase : events.phasesEntered()) {
      phases(phase).increment();
    }
    for (Effects.PhaseEnd end : events.phasesEnded()) {
      phaseDuration(end.phase()).record(Duration.ofMillis(Math.round(end.seconds() * 1000)));
    }
    transitionLatency.record(Duration.ofNanos(System.nanoTime() - effects.startedNanos()));
  }

  /** Heartbeat acknowledgements written in one flush. */
  public void heartbeats(int count) {
    heartbeats.increment(count);
  }

  /**
   * A PostgreSQL notification received: {@code channel} dispatch, cancel, job_event, progress or
   * webhook.
   */
  public void notification(String channel) {
    notification(channel, 1);
  }

  private void notification(String channel, int count) {
    Counter.builder("zisk.notifications.received")
        .description("Notifications received from other coordinators, by channel")
        .tag("channel", channel)
        .register(registry)
        .increment(count);
  }

  private Counter failedAttempts(String cause, boolean retried) {
    return Counter.builder("zisk.job.attempts.failed")
        .description("Job attempts that failed, by error code; retried: re-queued, else FAILED")
        .tags("cause", cause, "retried", Boolean.toString(retried))
        .register(registry);
  }

  private Counter failedJobs(String cause) {
    return Counter.builder("zisk.jobs.failed")
        .description("Jobs FAILED (no attempts left), by the error code of the last attempt")
        .tag("cause", cause)
        .register(registry);
  }

  private Counter tasks(String phase, String outcome) {
    return Counter.builder("zisk.tasks.ended")
        .description("Tasks that ended, by phase and outcome")
        .tags("phase", phase.toLowerCase(Locale.ROOT), "outcome", outcome)
        .register(registry);
  }

  /**
   * A phase that ended by advancing (PARTIAL_CONTRIBUTION, PROVE): from its first task's dispatch
   * until its last task succeeded. AGGREGATE is one task: the workers' task duration covers it.
   */
  private Timer phaseDuration(Phase phase) {
    return Timer.builder("zisk.phase.duration")
        .description("How long a phase ran, from its first task's dispatch to its last success")
        .tag("phase", phase.name().toLowerCase(Locale.ROOT))
        .serviceLevelObjectives(buckets(0.1, 0.5, 1, 5, 10, 30, 60, 300, 600, 1800, 3600, 7200))
        .register(registry);
  }

  private Counter phases(Phase phase) {
    return Counter.builder("zisk.phases.entered")
        .description("Jobs that entered a phase after the previous one finished")
        .tag("phase", phase.name().toLowerCase(Locale.ROOT))
        .register(registry);
  }

  private Counter counter(String name, String description) {
    return Counter.builder(name).description(description).register(registry);
  }

  static Duration[] buckets(double... seconds) {
    Duration[] durations = new Duration[seconds.length];
    for (int i = 0; i < seconds.length; i++) {
      durations[i] = Duration.ofNanos((long) (seconds[i] * 1e9));
    }
    return durations;
  }
}
