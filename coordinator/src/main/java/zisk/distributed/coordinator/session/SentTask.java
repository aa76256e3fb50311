package zisk.distributed.coordinator.session;

import zisk.distributed.api.v1.ExecuteTaskRequest;

/**
 * A task as sent to a prover, with its rank: only a contribution's request says which rank it is (a
 * PROVE or AGGREGATE request carries every rank's inputs), and progress relayed to watchers names
 * the rank of every task.
 */
public record SentTask(ExecuteTaskRequest request, int rank) {

  public String taskId() {
    return request.getTaskId();
  }

  public String jobId() {
    return request.getJobId();
  }
}
