package zisk.distributed.coordinator.scheduling;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.api.v1.AggParams;
import zisk.distributed.api.v1.ChallengesList;
import zisk.distributed.api.v1.ContributionParams;
import zisk.distributed.api.v1.ExecuteTaskRequest;
import zisk.distributed.api.v1.ProofList;
import zisk.distributed.api.v1.ProveParams;
import zisk.distributed.api.v1.TaskType;
import zisk.distributed.coordinator.lifecycle.Effects;
import zisk.distributed.coordinator.session.ProverSession;
import zisk.distributed.coordinator.session.SentTask;
import zisk.distributed.coordinator.session.SessionRegistry;
import zisk.distributed.coordinator.store.Phase;
import zisk.distributed.coordinator.store.Store;
import zisk.distributed.coordinator.store.TaskDao.OutgoingTask;
import zisk.distributed.coordinator.store.TaskInputs;
import zisk.distributed.coordinator.store.Tx;

/**
 * Runs transitions and sends provers their tasks. Only the coordinator holding a prover's stream
 * sends to it. A transition writes the tasks of provers it holds DISPATCHED; their requests are
 * built inside the same transaction (from the job row and the previous phase's stored results, so
 * contributions and partial proofs are stored once) and written to the streams after the commit.
 * Tasks left ASSIGNED for another coordinator's provers are claimed by it.
 */
public final class Dispatcher {

  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

  private final Store store;
  private final SessionRegistry sessions;
  private final UUID instanceId;
  private final AwaitedResults awaited = new AwaitedResults();

  public Dispatcher(Store store, SessionRegistry sessions, UUID instanceId) {
    this.store = store;
    this.sessions = sessions;
    this.instanceId = instanceId;
  }

  /** Runs a transition in one transaction, building the requests for the tasks it dispatched. */
  public Committed run(Function<Tx, Effects> transition) {
    return store.inTransaction(tx -> committed(tx, transition));
  }

  /**
   * Runs a transition that is one statement, outside a transaction: the statement is its own
   * commit, which saves a round trip.
   */
  public Committed runAtOnce(Function<Tx, Effects> transition) {
    return store.read(tx -> committed(tx, transition));
  }

  private Committed committed(Tx tx, Function<Tx, Effects> transition) {
    Effects effects = transition.apply(tx);
    return new Committed(effects, build(tx, effects.toSend()));
  }

  /** Claims and sends the ASSIGNED tasks of those provers whose streams this coordinator holds. */
  public void dispatch(Collection<String> proverIds) {
    String[] local = proverIds.stream().filter(sessions::holds).toArray(String[]::new);
    if (local.length == 0) {
      return;
    }
    send(store.inTransaction(tx -> build(tx, tx.dispatch().claimAssigned(local, instanceId))));
  }

  /**
   * The safety net: dispatches every ASSIGNED task of provers whose streams this coordinator holds.
   */
  public void dispatchPending() {
    dispatch(store.read(tx -> tx.dispatch().proversWithAssigned(instanceId)));
  }

  /**
   * After a reconnect: sends the prover its DISPATCHED task again (the worker ignores a task it
   * already runs, and answers with its result if it finished meanwhile), unless the stream has
   * since carried a newer task or the prover's answer to that one; then anything ASSIGNED.
   */
  public void redeliver(String proverId) {
    sessions
        .find(proverId)
        .ifPresent(
            session -> {
              // Read after the mark: a task sent or answered on the stream since is newer than
              // the read, which the session then leaves alone (ProverSession.redeliver).
              long mark = session.tasksSent();
              for (SentTask sent :
                  store.read(tx -> build(tx, tx.dispatch().dispatchedTo(proverId)))) {
                if (session.redeliver(sent, mark)) {
                  awaited.sent(sent.jobId(), sent.taskId());
                }
              }
            });
    dispatch(List.of(proverId));
  }

  /** The tasks sent from here that are not answered yet (the report lanes wait on them). */
  AwaitedResults awaited() {
    return awaited;
  }

  /** Writes requests to the streams this coordinator holds. */
  public void send(List<SentTask> requests) {
    for (SentTask sent : requests) {
      ExecuteTaskRequest request = sent.request();
      ProverSession session = sessions.find(request.getProverId()).orElse(null);
      if (session != null && session.sendTask(sent)) {
        awaited.sent(request.getJobId(), request.getTaskId());
        log.debug(
            "Sent {} task {} of job {} to prover {}",
            request.getTaskType(),
            request.getTaskId(),
            request.getJobId(),
            request.getProverId());
      } else {
        // The stream is gone; the task stays DISPATCHED and is sent again if the prover reconnects
        // in time, else the lost-prover sweep fails the attempt.
        log.info(
            "Could not send task {} of job {} to prover {}: stream closed",
            request.getTaskId(),
            request.getJobId(),
            request.getProverId());
      }
    }
  }

  private List<SentTask> build(Tx tx, List<OutgoingTask> tasks) {
    List<SentTask> requests = new ArrayList<>(tasks.size());
    // Every rank of a phase gets the same inputs: read them once per job, not once per task.
    Map<String, Object> inputs = new HashMap<>();
    for (OutgoingTask task : tasks) {
      ExecuteTaskRequest.Builder request =
          ExecuteTaskRequest.newBuilder()
              .setProverId(task.proverId())
              .setJobId(task.jobId().toString())
              .setTaskId(task.taskId().toString());
      Object input =
          inputs.computeIfAbsent(
              task.jobId() + "/" + task.attempt() + "/" + task.phase(),
              key -> params(task, task.inputs() != null ? task.inputs() : readInputs(tx, task)));
      switch (task.phase()) {
        case PARTIAL_CONTRIBUTION ->
            request
                .setTaskType(TaskType.PARTIAL_CONTRIBUTION)
                .setContributionParams(
                    contributionParams((TaskInputs.Contribution) input, task.rankId()));
        case PROVE -> request.setTaskType(TaskType.PROVE).setProveParams((ProveParams) input);
        case AGGREGATE -> request.setTaskType(TaskType.AGGREGATE).setAggParams((AggParams) input);
      }
      requests.add(new SentTask(request.build(), task.rankId()));
    }
    return requests;
  }

  /**
   * Inputs the transition did not hand over (a claimed or re-sent task) are read from the store.
   */
  private static TaskInputs readInputs(Tx tx, OutgoingTask task) {
    return switch (task.phase()) {
      case PARTIAL_CONTRIBUTION -> tx.dispatch().contributionInputs(task.jobId(), task.attempt());
      case PROVE ->
          new TaskInputs.PreviousResults(
              tx.dispatch().results(task.jobId(), task.attempt(), Phase.PARTIAL_CONTRIBUTION));
      case AGGREGATE ->
          new TaskInputs.PreviousResults(
              tx.dispatch().results(task.jobId(), task.attempt(), Phase.PROVE));
    };
  }

  /** The part of a request every rank of a phase shares (a contribution's rank is set per task). */
  private static Object params(OutgoingTask task, TaskInputs inputs) {
    return switch (task.phase()) {
      case PARTIAL_CONTRIBUTION -> inputs;
      case PROVE -> proveParams(((TaskInputs.PreviousResults) inputs).results(), task);
      case AGGREGATE -> aggParams(((TaskInputs.PreviousResults) inputs).results(), task);
    };
  }

  private static ContributionParams contributionParams(TaskInputs.Contribution inputs, int rank) {
    return ContributionParams.newBuilder()
        .setBlockId(inputs.blockId())
        .setInputPath(inputs.inputPath())
        .setInputId(inputs.inputId() == null ? "" : inputs.inputId())
        .setRankId(rank)
        .setTotalProvers(inputs.allocation().size())
        .addAllProverAllocation(inputs.allocation())
        .setJobComputeUnits(inputs.computeCapacity())
        .build();
  }

  /** Every rank's contribution, in rank order. */
  private static ProveParams proveParams(List<byte[]> contributions, OutgoingTask task) {
    ProveParams.Builder params = ProveParams.newBuilder();
    for (byte[] result : contributions) {
      params.addAllChallenges(parse(result, ChallengesList.parser(), task).getChallengesList());
    }
    return params.build();
  }

  /** Every rank's partial proofs, in rank order. */
  private static AggParams aggParams(List<byte[]> partialProofs, OutgoingTask task) {
    ProofList.Builder proofs = ProofList.newBuilder();
    for (byte[] result : partialProofs) {
      proofs.addAllProofs(parse(result, ProofList.parser(), task).getProofsList());
    }
    return AggParams.newBuilder().setAggProofs(proofs).setFinalProof(true).build();
  }

  /** Only coordinators write these bytes: unreadable ones are a bug, not bad input. */
  private static <T> T parse(byte[] bytes, Parser<T> parser, OutgoingTask task) {
    try {
      return parser.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("stored data of job " + task.jobId() + " is unreadable", e);
    }
  }
}
