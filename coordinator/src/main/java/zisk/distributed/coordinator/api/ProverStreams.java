package zisk.distributed.coordinator.api;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.api.v1.ComputeCapacity;
import zisk.distributed.api.v1.CoordinatorMessage;
import zisk.distributed.api.v1.ProverMessage;
import zisk.distributed.api.v1.ProverRegisterResponse;
import zisk.distributed.common.rules.ComputeUnits;
import zisk.distributed.common.rules.ProverIds;
import zisk.distributed.common.rules.Uuids;
import zisk.distributed.coordinator.lifecycle.ProverRegistrations;
import zisk.distributed.coordinator.scheduling.Dispatcher;
import zisk.distributed.coordinator.scheduling.FinalProofChecks;
import zisk.distributed.coordinator.scheduling.HeartbeatWriter;
import zisk.distributed.coordinator.scheduling.JobWatchers;
import zisk.distributed.coordinator.scheduling.ReportWriter;
import zisk.distributed.coordinator.scheduling.Scheduler;
import zisk.distributed.coordinator.session.ProverSession;
import zisk.distributed.coordinator.session.SessionRegistry;

/**
 * Serves {@code ProverStream}: one {@link Call} per stream. The first message must register (or
 * reconnect) the prover, within the bounds of the {@link RegistrationGate}; after that the call
 * relays acknowledgements, results and errors to the transitions, and the stream's end to the
 * prover's row. Only a registered stream may send large messages ({@link MessageLimits}).
 */
public final class ProverStreams {

  private static final Logger log = LoggerFactory.getLogger(ProverStreams.class);

  private final ProverRegistrations registrations;
  private final ReportWriter reports;
  private final FinalProofChecks proofChecks;
  private final HeartbeatWriter heartbeats;
  private final Dispatcher dispatcher;
  private final Scheduler scheduler;
  private final SessionRegistry sessions;
  private final RegistrationGate gate;
  private final MessageLimits messageLimits;
  private final Clock clock;
  private final ProgressRelay progress;

  public ProverStreams(
      ProverRegistrations registrations,
      ReportWriter reports,
      FinalProofChecks proofChecks,
      HeartbeatWriter heartbeats,
      Dispatcher dispatcher,
      Scheduler scheduler,
      SessionRegistry sessions,
      RegistrationGate gate,
      MessageLimits messageLimits,
      Clock clock,
      JobWatchers watchers) {
    this.registrations = registrations;
    this.reports = reports;
    this.proofChecks = proofChecks;
    this.heartbeats = heartbeats;
    this.dispatcher = dispatcher;
    this.scheduler = scheduler;
    this.sessions = sessions;
    this.gate = gate;
    this.messageLimits = messageLimits;
    this.clock = clock;
    this.progress = new ProgressRelay(watchers);
  }

  public StreamObserver<ProverMessage> open(StreamObserver<CoordinatorMessage> responses) {
    return new Call((ServerCallStreamObserver<CoordinatorMessage>) responses);
  }

  /**
   * A graceful stop: every stream ends with UNAVAILABLE, so workers reconnect (to another
   * coordinator or to this one restarted) and keep their work through the grace period.
   */
  public void closeAll(String reason) {
    for (ProverSession session : sessions.all()) {
      sessions.remove(session);
      session.close(Status.UNAVAILABLE.withDescription(reason));
      recordClosed(session);
    }
  }

  private void recordClosed(ProverSession session) {
    try {
      registrations.streamClosed(session.proverId(), session.epoch());
    } catch (RuntimeException e) {
      // The sweep settles the row once the database answers again.
      log.warn(
          "Could not record the closed stream of prover {}: {}",
          session.proverId(),
          e.getMessage());
    }
  }

  /** One prover stream. gRPC delivers its inbound messages one at a time. */
  private final class Call implements StreamObserver<ProverMessage> {

    private final ServerCallStreamObserver<CoordinatorMessage> out;

    /** Raises this stream's message limit once its prover has registered. */
    private final Runnable raiseMessageLimit = messageLimits.raiseCurrentCall();

    private final RegistrationGate.Pending pending;
    private volatile ProverSession session;
    private volatile boolean ended;

    Call(ServerCallStreamObserver<CoordinatorMessage> out) {
      this.out = out;
      // Ends the stream at once when too many wait to register, or later if it never does.
      this.pending = gate.open(this::end);
      // Must be set before the service method returns; covers clients that vanish without a word.
      out.setOnCancelHandler(this::closed);
    }

    @Override
    public void onNext(ProverMessage message) {
      if (ended) {
        return;
      }
      try {
        if (session != null) {
          next(message);
        } else if (pending.begin()) {
          try {
            first(message);
          } finally {
            pending.finish();
          }
        }
      } catch (StatusRuntimeException e) {
        log.debug("ProverStream refused: {}", e.getStatus().getDescription());
        end(e.getStatus());
      } catch (RuntimeException e) {
        // Most likely the database is away. Ending the stream makes the worker reconnect; its
        // running task and any result it holds are re-synchronized then.
        log.warn(
            "ProverStream of {} failed: {}",
            session == null ? "an unregistered prover" : session.proverId(),
            e.getMessage());
        end(
            Status.UNAVAILABLE.withDescription(
                "the coordinator could not process the message; reconnect"));
      }
    }

    private void first(ProverMessage message) {
      String proverId;
      ComputeCapacity capacity;
      Optional<ProverRegistrations.Reconnect> reconnect = Optional.empty();
      switch (message.getMessageCase()) {
        case REGISTER -> {
          proverId = message.getRegister().getProverId().strip();
          capacity = message.getRegister().getComputeCapacity();
        }
        case RECONNECT -> {
          proverId = message.getReconnect().getProverId().strip();
          capacity = message.getReconnect().getComputeCapacity();
          reconnect =
              Optional.of(
                  new ProverRegistrations.Reconnect(
                      Uuids.parse(message.getReconnect().getLastKnownJobId()),
                      message.getReconnect().getSessionSecret()));
        }
        default -> {
          end(
              Status.INVALID_ARGUMENT.withDescription(
                  "the first message on ProverStream must be register or reconnect, not "
                      + message.getMessageCase()));
          return;
        }
      }
      String problem =
          ProverIds.problem(proverId)
              .or(
                  () ->
                      ComputeUnits.problem(Integer.toUnsignedLong(capacity.getComputeUnits()))
                          .map(units -> "compute_capacity." + units))
              .orElse(null);
      if (problem != null) {
        refuse("", problem); // the id is not echoed: it may be anything, of any length
        end(Status.INVALID_ARGUMENT.withDescription(problem));
        return;
      }
      Optional<ProverRegistrations.Reconnect> resuming = reconnect;
      ProverRegistrations.Outcome outcome =
          gate.register(
              () -> registrations.register(proverId, capacity.getComputeUnits(), resuming));
      if (outcome instanceof ProverRegistrations.Outcome.Refused refused) {
        log.info("Refused prover {}: {}", proverId, refused.reason());
        refuse(proverId, refused.reason());
        end(Status.ALREADY_EXISTS.withDescription(refused.reason()));
        return;
      }
      ProverRegistrations.Outcome.Accepted accepted =
          (ProverRegistrations.Outcome.Accepted) outcome;
      ProverSession opened = new ProverSession(proverId, accepted.epoch(), out, clock);
      sessions
          .put(opened)
          .ifPresent(
              old -> old.close(Status.ABORTED.withDescription("replaced by a newer stream")));
      session = opened;
      // Before the answer: the prover's next message may be large, and its slot is free.
      raiseMessageLimit.run();
      pending.finish();
      ProverRegisterResponse.Builder response =
          ProverRegisterResponse.newBuilder()
              .setProverId(proverId)
              .setAccepted(true)
              .setMessage(
                  accepted
                      .resumedJob()
                      .map(job -> "welcome back; keep working on job " + job)
                      .orElse("registered"))
              .setRegisteredAt(ProtoMapper.timestamp(accepted.registeredAt()));
      accepted.sessionSecret().ifPresent(response::setSessionSecret);
      opened.send(CoordinatorMessage.newBuilder().setRegisterResponse(response).build());
      log.info(
          "Prover {} {} with {} compute units (session {})",
          proverId,
          message.hasReconnect() ? "reconnected" : "registered",
          capacity.getComputeUnits(),
          accepted.epoch());
      scheduler.apply(accepted.effects());
      // Also after a new session: admission may have claimed a task for the prover between the
      // registration's commit and sessions.put, and found only the old, closed stream to send it
      // on.
      dispatcher.redeliver(proverId);
    }

    private void next(ProverMessage message) {
      ProverSession current = session;
      current.heard();
      switch (message.getMessageCase()) {
        case HEARTBEAT_ACK -> heartbeats.ack(current.proverId());
        case EXECUTE_TASK_RESPONSE ->
            proofChecks.submit(
                ProverAnswers.result(current, message.getExecuteTaskResponse()), this::unrecorded);
        case ERROR ->
            proofChecks.submit(ProverAnswers.error(current, message.getError()), this::unrecorded);
        case PROGRESS -> progress.relay(current, message.getProgress());
        default ->
            current.ignored().ignored(message.getMessageCase() + " ignored: already registered");
      }
    }

    /** A report could not be written: ending the stream makes the worker reconnect and re-sync. */
    private void unrecorded() {
      end(
          Status.UNAVAILABLE.withDescription(
              "the coordinator could not record the report; reconnect"));
    }

    private void refuse(String proverId, String reason) {
      try {
        out.onNext(
            CoordinatorMessage.newBuilder()
                .setRegisterResponse(
                    ProverRegisterResponse.newBuilder()
                        .setProverId(proverId)
                        .setAccepted(false)
                        .setMessage(reason))
                .build());
      } catch (RuntimeException e) {
        log.debug("Could not send the refusal to {}: {}", proverId, e.getMessage());
      }
    }

    private void end(Status status) {
      ended = true;
      ProverSession current = session;
      if (current != null) {
        current.close(status);
        closed();
      } else {
        try {
          out.onError(status.asRuntimeException());
        } catch (RuntimeException e) {
          log.debug("Stream already closed: {}", e.getMessage());
        }
      }
    }

    @Override
    public void onError(Throwable error) {
      pending.finish();
      log.debug(
          "ProverStream of {} broke: {}",
          session == null ? "an unregistered prover" : session.proverId(),
          error.getMessage());
      closed();
    }

    @Override
    public void onCompleted() {
      pending.finish();
      ProverSession current = session;
      if (current != null) {
        current.close(Status.OK);
      } else {
        try {
          out.onCompleted();
        } catch (RuntimeException e) {
          log.debug("Stream already closed: {}", e.getMessage());
        }
      }
      closed();
    }

    /**
     * The stream is over: forget the session and record it (only if it is still the current one),
     * after the reports the prover sent before it ended (a final proof once verified), which still
     * count.
     */
    private void closed() {
      pending.finish();
      ProverSession current = session;
      if (current == null || !sessions.remove(current)) {
        return;
      }
      log.info("Stream of prover {} closed", current.proverId());
      proofChecks.afterChecks(
          current.proverId(),
          () -> reports.afterReports(current.proverId(), () -> recordClosed(current)));
    }
  }
}
