package zisk.distributed.coordinator.scheduling;

import com.google.protobuf.util.Timestamps;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.api.v1.CoordinatorMessage;
import zisk.distributed.api.v1.Heartbeat;
import zisk.distributed.common.concurrent.DaemonThreads;
import zisk.distributed.coordinator.lifecycle.Effects;
import zisk.distributed.coordinator.lifecycle.LaunchOutcome;
import zisk.distributed.coordinator.metrics.EventMetrics;
import zisk.distributed.coordinator.session.IgnoredMessages;
import zisk.distributed.coordinator.session.ProverSession;
import zisk.distributed.coordinator.session.SessionRegistry;
import zisk.distributed.coordinator.store.NewJob;

/**
 * Applies the effects of committed transitions (pushes tasks and cancellations to the streams this
 * coordinator holds, wakes other coordinators, wakes admission) and runs the periodic work:
 * heartbeats out, batched acknowledgements in, sweeps, and a slow poll that catches any missed
 * wake-up.
 */
public final class Scheduler implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Scheduler.class);

  /** Periods of the background work. */
  public record Periods(
      Duration heartbeat, Duration heartbeatFlush, Duration sweep, Duration poll) {}

  private final Admission admission;
  private final Dispatcher dispatcher;
  private final Sweeper sweeper;
  private final DeadlineSweep deadlines;
  private final HeartbeatWriter heartbeats;
  private final SessionRegistry sessions;
  private final Notifications notifications;
  private final Periods periods;
  private final EventMetrics metrics;
  private final AtomicBoolean admissionQueued = new AtomicBoolean();
  // One thread for admission and the periodic work: admission rounds never overlap on one
  // coordinator.
  private final ScheduledExecutorService executor =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("coordinator-scheduler"));
  // Heartbeats on their own thread, so a slow database cannot delay them.
  private final ScheduledExecutorService heartbeatSender =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("coordinator-heartbeats"));

  public Scheduler(
      Admission admission,
      Dispatcher dispatcher,
      Sweeper sweeper,
      DeadlineSweep deadlines,
      HeartbeatWriter heartbeats,
      SessionRegistry sessions,
      Notifications notifications,
      Periods periods,
      EventMetrics metrics) {
    this.admission = admission;
    this.dispatcher = dispatcher;
    this.sweeper = sweeper;
    this.deadlines = deadlines;
    this.heartbeats = heartbeats;
    this.sessions = sessions;
    this.notifications = notifications;
    this.periods = periods;
    this.metrics = metrics;
  }

  public void start() {
    heartbeatSender.scheduleAtFixedRate(
        this::sendHeartbeats,
        periods.heartbeat().toMillis(),
        periods.heartbeat().toMillis(),
        TimeUnit.MILLISECONDS);
    every(
        periods.heartbeatFlush(), "heartbeat flush", () -> metrics.heartbeats(heartbeats.flush()));
    every(periods.sweep(), "sweep", () -> apply(sweeper.sweep()));
    every(periods.sweep(), "deadline sweep", () -> apply(deadlines.sweep()));
    notifications.start(
        proverId ->
            executor.execute(
                () -> guarded("dispatch", () -> dispatcher.dispatch(List.of(proverId)))),
        this::sendCancellation,
        () -> executor.execute(() -> guarded("dispatch", dispatcher::dispatchPending)));
    every(
        periods.poll(),
        "poll",
        () -> {
          admit();
          dispatcher.dispatchPending();
        });
  }

  /** Pushes what a committed transition decided. Called on the thread that committed it. */
  public void apply(Committed committed) {
    dispatcher.send(committed.requests());
    Effects effects = committed.effects();
    for (Effects.Ignored ignored : effects.ignored()) {
      sessions
          .find(ignored.proverId())
          .ifPresentOrElse(
              session -> session.ignored().ignored(ignored.reason()),
              () -> IgnoredMessages.warn(ignored.proverId(), ignored.reason()));
    }
    for (Effects.Cancellation cancellation : effects.cancellations()) {
      if (!sendCancellation(cancellation)) {
        notifications.publishCancel(cancellation);
      }
    }
    for (String proverId : effects.disconnects()) {
      sessions
          .find(proverId)
          .ifPresent(
              session -> {
                sessions.remove(session);
                session.close(
                    Status.UNAVAILABLE.withDescription(
                        "no heartbeat acknowledgement in time; reconnect"));
              });
    }
    if (!effects.dispatchTo().isEmpty()) {
      // Provers whose streams another coordinator holds hear of their tasks through it.
      effects.dispatchTo().stream()
          .filter(proverId -> !sessions.holds(proverId))
          .forEach(notifications::publishDispatch);
      try {
        dispatcher.dispatch(effects.dispatchTo());
      } catch (RuntimeException e) {
        // The poll dispatches these tasks once the database answers again.
        log.warn("Dispatch to {} failed: {}", effects.dispatchTo(), e.getMessage());
      }
    }
    if (effects.admitRequested()) {
      requestAdmission();
    }
    metrics.applied(effects);
  }

  /** Pushes what a committed transition that wrote no task of its own decided. */
  public void apply(Effects effects) {
    apply(Committed.of(effects));
  }

  /** Sends JobCancelled if this coordinator holds the prover's stream; answers whether it does. */
  private boolean sendCancellation(Effects.Cancellation cancellation) {
    Optional<ProverSession> session = sessions.find(cancellation.proverId());
    session.ifPresent(
        held ->
            held.sendCancel(
                cancellation.jobId().toString(),
                cancellation.taskId() == null ? "" : cancellation.taskId().toString(),
                cancellation.reason()));
    return session.isPresent();
  }

  /**
   * Launches a job, starting it in the same transaction when it fits idle provers, and sends its
   * first tasks after the commit.
   *
   * @param maxQueued QUEUED jobs beyond which nothing is created
   */
  public LaunchOutcome launch(NewJob job, int maxQueued) {
    Admission.Launched[] launched = new Admission.Launched[1];
    Committed committed =
        dispatcher.run(
            tx -> {
              launched[0] = admission.launch(tx, job, maxQueued);
              return launched[0].effects();
            });
    apply(committed);
    return launched[0].outcome();
  }

  /** Runs an admission round soon; requests made while one is pending are coalesced. */
  public void requestAdmission() {
    if (admissionQueued.compareAndSet(false, true)) {
      try {
        executor.execute(
            () -> {
              admissionQueued.set(false);
              guarded("admission", this::admit);
            });
      } catch (RejectedExecutionException e) {
        admissionQueued.set(false); // stopping
      }
    }
  }

  private void admit() {
    apply(dispatcher.run(admission::admit));
  }

  private void sendHeartbeats() {
    CoordinatorMessage heartbeat =
        CoordinatorMessage.newBuilder()
            .setHeartbeat(
                Heartbeat.newBuilder()
                    .setTimestamp(Timestamps.fromMillis(System.currentTimeMillis())))
            .build();
    for (ProverSession session : sessions.all()) {
      session.send(heartbeat);
    }
  }

  private void every(Duration period, String what, Runnable work) {
    executor.scheduleWithFixedDelay(
        () -> guarded(what, work), period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static void guarded(String what, Runnable work) {
    try {
      work.run();
    } catch (RuntimeException e) {
      log.debug("{} failed: {}", what, e.getMessage());
    }
  }

  @Override
  public void close() {
    notifications.close();
    heartbeatSender.shutdownNow();
    executor.shutdownNow();
  }
}
