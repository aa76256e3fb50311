package zisk.distributed.worker.task;

import java.util.Optional;
import zisk.distributed.api.v1.ContributionParams;
import zisk.distributed.api.v1.ExecuteTaskRequest;
import zisk.distributed.api.v1.ExecuteTaskResponse;
import zisk.distributed.common.inputs.InputFile;
import zisk.distributed.common.inputs.InputRefusedException;
import zisk.distributed.worker.prover.ProverBackend;

/**
 * Runs the phase a task names on the prover backend and wraps its result in the task's response.
 * Apart from {@link TaskRunner}, which owns the thread, the lock and the job's kept state, so that
 * mapping a request to a backend call stays in one short place.
 */
final class TaskPhases {

  private final ProverBackend backend;
  private final String proverId;
  private final InputSource inputs;

  /** The task whose phase runs now; null between tasks. */
  private volatile ExecuteTaskRequest running;

  TaskPhases(ProverBackend backend, String proverId, InputSource inputs) {
    this.backend = backend;
    this.proverId = proverId;
    this.inputs = inputs;
  }

  /**
   * Calls the backend for the task's phase.
   *
   * @throws InterruptedException when the task was cancelled while the backend worked
   * @throws Exception whatever the backend threw, an {@link InputRefusedException} for an input
   *     outside the rules of {@code InputFiles} or one the coordinator does not have, or an {@link
   *     IllegalArgumentException} for a task without the parameters of its phase
   */
  ExecuteTaskResponse execute(ExecuteTaskRequest request) throws Exception {
    running = request;
    try {
      return call(request);
    } finally {
      running = null;
    }
  }

  /** The task whose phase runs now, if any (progress is reported for it). */
  Optional<ExecuteTaskRequest> running() {
    return Optional.ofNullable(running);
  }

  private ExecuteTaskResponse call(ExecuteTaskRequest request) throws Exception {
    String jobId = request.getJobId();
    return switch (request.getTaskType()) {
      case PARTIAL_CONTRIBUTION -> {
        require(
            request.hasContributionParams(),
            "PARTIAL_CONTRIBUTION task without contribution_params");
        ContributionParams params = request.getContributionParams();
        InputFile input = inputs.open(params);
        yield TaskResponses.contributed(
            request, proverId, result(backend.contribute(jobId, params, input), request));
      }
      case PROVE -> {
        require(request.hasProveParams(), "PROVE task without prove_params");
        yield TaskResponses.proved(
            request, proverId, result(backend.prove(jobId, request.getProveParams()), request));
      }
      case AGGREGATE -> {
        require(request.hasAggParams(), "AGGREGATE task without agg_params");
        yield TaskResponses.aggregated(
            request, proverId, result(backend.aggregate(jobId, request.getAggParams()), request));
      }
      default ->
          throw new IllegalArgumentException("unsupported task type " + request.getTaskType());
    };
  }

  private static <T> T result(T value, ExecuteTaskRequest request) {
    if (value == null) {
      throw new IllegalStateException(
          "prover backend returned no result for " + request.getTaskType());
    }
    return value;
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
