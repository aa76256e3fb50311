package zisk.distributed.coordinator.scheduling;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.api.v1.AggParams;
import zisk.distributed.api.v1.ChallengesList;
import zisk.distributed.api.v1.ContributionParams;
import zisk.distributed.api.v1.ExecuteTaskRequest;
import zisk.distributed.api.v1.ProofList;
import zisk.distributed.api.v1.ProveParams;
import zisk.distributed.api.v1.TaskType;
import zisk.distributed.coordinator.session.ProverSession;
import zisk.distributed.coordinator.session.SessionRegistry;
import zisk.distributed.coordinator.store.Phase;

/**
 * Sends provers the tasks assigned to them. Only the coordinator holding a prover's stream
 * dispatches to it: it marks the prover's ASSIGNED tasks DISPATCHED in one statement, commits,
 * then writes them to the stream. A PROVE or AGGREGATE task's parameters are built from the
 * previous phase's stored results, so contributions and partial proofs are stored once.
 */
public final class Dispatcher {

  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

  private record Claimed(UUID taskId, UUID jobId, int attempt, Phase phase, String proverId, byte[] params) {}

  private final Jdbi jdbi;
  private final SessionRegistry sessions;
  private final UUID instanceId;

  public Dispatcher(Jdbi jdbi, SessionRegistry sessions, UUID instanceId) {
    this.jdbi = jdbi;
    this.sessions = sessions;
    this.instanceId = instanceId;
  }

  /** Dispatches the ASSIGNED tasks of those provers whose streams this coordinator holds. */
  public void dispatch(Collection<String> proverIds) {
    List<String> local = proverIds.stream().filter(sessions::holds).toList();
    if (local.isEmpty()) {
      return;
    }
    List<ExecuteTaskRequest> requests = jdbi.inTransaction(handle -> build(handle, claim(handle, local)));
    send(requests);
  }

  /** The safety net: dispatches every ASSIGNED task of provers whose streams this coordinator holds. */
  public void dispatchPending() {
    List<String> local = jdbi.withHandle(handle -> handle.createQuery("""
            SELECT DISTINCT t.prover_id FROM tasks t JOIN provers p ON p.prover_id = t.prover_id
            WHERE t.state = 'ASSIGNED' AND p.instance_id = :instanceId
            """)
        .bind("instanceId", instanceId).mapTo(String.class).list());
    dispatch(local);
  }

  /**
   * After a reconnect: sends the prover its DISPATCHED task again (the worker ignores a task it
   * already runs, and answers with its result if it finished meanwhile), then anything ASSIGNED.
   */
  public void redeliver(String proverId) {
    List<ExecuteTaskRequest> requests = jdbi.inTransaction(handle -> build(handle, handle.createQuery("""
            SELECT task_id, job_id, attempt, task_type, prover_id, params FROM tasks
            WHERE prover_id = :proverId AND state = 'DISPATCHED'
            """)
        .bind("proverId", proverId)
        .map((rs, ctx) -> new Claimed(rs.getObject("task_id", UUID.class), rs.getObject("job_id", UUID.class),
            rs.getInt("attempt"), Phase.valueOf(rs.getString("task_type")), rs.getString("prover_id"),
            rs.getBytes("params")))
        .list()));
    send(requests);
    dispatch(List.of(proverId));
  }

  private List<Claimed> claim(Handle handle, List<String> proverIds) {
    return handle.createQuery("""
            UPDATE tasks t SET state = 'DISPATCHED', dispatched_at = clock_timestamp()
            FROM provers p
            WHERE t.prover_id = p.prover_id AND t.prover_id IN (<ids>) AND t.state = 'ASSIGNED'
              AND p.instance_id = :instanceId
            RETURNING t.task_id, t.job_id, t.attempt, t.task_type, t.prover_id, t.params
            """)
        .bindList("ids", proverIds)
        .bind("instanceId", instanceId)
        .map((rs, ctx) -> new Claimed(rs.getObject("task_id", UUID.class), rs.getObject("job_id", UUID.class),
            rs.getInt("attempt"), Phase.valueOf(rs.getString("task_type")), rs.getString("prover_id"),
            rs.getBytes("params")))
        .list();
  }

  private List<ExecuteTaskRequest> build(Handle handle, List<Claimed> claimed) {
    List<ExecuteTaskRequest> requests = new ArrayList<>();
    // Every rank of a phase gets the same inputs: read them once per job, not once per task.
    Map<String, Object> inputs = new HashMap<>();
    for (Claimed task : claimed) {
      requests.add(request(handle, task, inputs));
    }
    return requests;
  }

  private ExecuteTaskRequest request(Handle handle, Claimed task, Map<String, Object> inputs) {
    ExecuteTaskRequest.Builder request = ExecuteTaskRequest.newBuilder()
        .setProverId(task.proverId())
        .setJobId(task.jobId().toString())
        .setTaskId(task.taskId().toString());
    switch (task.phase()) {
      case PARTIAL_CONTRIBUTION -> request.setTaskType(TaskType.PARTIAL_CONTRIBUTION)
          .setContributionParams(parse(task.params(), ContributionParams.parser(), task));
      case PROVE -> request.setTaskType(TaskType.PROVE)
          .setProveParams((ProveParams) inputs.computeIfAbsent(key(task), k -> proveParams(handle, task)));
      case AGGREGATE -> request.setTaskType(TaskType.AGGREGATE)
          .setAggParams((AggParams) inputs.computeIfAbsent(key(task), k -> aggParams(handle, task)));
    }
    return request.build();
  }

  private static String key(Claimed task) {
    return task.jobId() + "/" + task.attempt() + "/" + task.phase();
  }

  /** Every rank's contribution, in rank order. */
  private static ProveParams proveParams(Handle handle, Claimed task) {
    ProveParams.Builder params = ProveParams.newBuilder();
    for (byte[] result : previousResults(handle, task, Phase.PARTIAL_CONTRIBUTION)) {
      params.addAllChallenges(parse(result, ChallengesList.parser(), task).getChallengesList());
    }
    return params.build();
  }

  /** Every rank's partial proofs, in rank order. */
  private static AggParams aggParams(Handle handle, Claimed task) {
    ProofList.Builder proofs = ProofList.newBuilder();
    for (byte[] result : previousResults(handle, task, Phase.PROVE)) {
      proofs.addAllProofs(parse(result, ProofList.parser(), task).getProofsList());
    }
    return AggParams.newBuilder().setAggProofs(proofs).setFinalProof(true).build();
  }

  /** Only coordinators write these bytes: unreadable ones are a bug, not bad input. */
  private static <T> T parse(byte[] bytes, Parser<T> parser, Claimed task) {
    try {
      return parser.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("stored data of job " + task.jobId() + " is unreadable", e);
    }
  }

  private static List<byte[]> previousResults(Handle handle, Claimed task, Phase phase) {
    return handle.createQuery("""
            SELECT result FROM tasks
            WHERE job_id = :jobId AND attempt = :attempt AND task_type = :phase AND state = 'SUCCEEDED'
            ORDER BY rank_id
            """)
        .bind("jobId", task.jobId()).bind("attempt", task.attempt()).bind("phase", phase.name())
        .mapTo(byte[].class).list();
  }

  private void send(List<ExecuteTaskRequest> requests) {
    for (ExecuteTaskRequest request : requests) {
      ProverSession session = sessions.find(request.getProverId()).orElse(null);
      boolean sent = session != null
          && session.sendTask(request);
      if (sent) {
        log.debug("Sent {} task {} of job {} to prover {}", request.getTaskType(), request.getTaskId(),
            request.getJobId(), request.getProverId());
      } else {
        // The stream is gone; the task stays DISPATCHED and is sent again if the prover reconnects
        // in time, else the lost-prover sweep fails the attempt.
        log.info("Could not send task {} of job {} to prover {}: stream closed", request.getTaskId(),
            request.getJobId(), request.getProverId());
      }
    }
  }
}
