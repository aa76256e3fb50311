package zisk.distributed.worker.task;

import zisk.distributed.api.v1.ChallengesList;
import zisk.distributed.api.v1.ExecuteTaskRequest;
import zisk.distributed.api.v1.ExecuteTaskResponse;
import zisk.distributed.api.v1.FinalProofList;
import zisk.distributed.api.v1.ProofList;
import zisk.distributed.common.inputs.InputRefusedException;
import zisk.distributed.common.rules.SafeText;

/**
 * Builds {@link ExecuteTaskResponse}s: the one place where a task's ids and type are echoed back.
 */
public final class TaskResponses {

  private TaskResponses() {}

  public static ExecuteTaskResponse contributed(
      ExecuteTaskRequest task, String proverId, ChallengesList challenges) {
    return echo(task, proverId).setSuccess(true).setChallenges(challenges).build();
  }

  public static ExecuteTaskResponse proved(
      ExecuteTaskRequest task, String proverId, ProofList proofs) {
    return echo(task, proverId).setSuccess(true).setProofs(proofs).build();
  }

  public static ExecuteTaskResponse aggregated(
      ExecuteTaskRequest task, String proverId, FinalProofList finalProof) {
    return echo(task, proverId).setSuccess(true).setFinalProof(finalProof).build();
  }

  /** A failure; the message is cleaned and bounded by {@link SafeText} before it leaves. */
  public static ExecuteTaskResponse failed(
      ExecuteTaskRequest task, String proverId, String errorMessage) {
    return echo(task, proverId)
        .setSuccess(false)
        .setErrorMessage(SafeText.clean(errorMessage, SafeText.MAX_ERROR_MESSAGE))
        .build();
  }

  /**
   * A failure of the task with {@code error}: marked {@code input_refused} when its input could not
   * be used, so the coordinator does not count it against this prover.
   */
  public static ExecuteTaskResponse failed(
      ExecuteTaskRequest task, String proverId, Throwable error) {
    return failed(task, proverId, describe(error)).toBuilder()
        .setInputRefused(error instanceof InputRefusedException)
        .build();
  }

  /**
   * A refusal because the prover runs another task: {@code busy} set, so the coordinator sends the
   * task again later without counting a failure. The text is the one coordinators that predate the
   * field recognize.
   */
  public static ExecuteTaskResponse busy(
      ExecuteTaskRequest task, String proverId, ExecuteTaskRequest running) {
    return failed(
            task,
            proverId,
            "prover busy with task " + running.getTaskId() + " of job " + running.getJobId())
        .toBuilder()
        .setBusy(true)
        .build();
  }

  /** The message of a backend failure, never empty, cleaned and bounded for a log line. */
  public static String describe(Throwable error) {
    String message = error.getMessage();
    return message == null || message.isBlank()
        ? error.getClass().getSimpleName()
        : SafeText.clean(message, SafeText.MAX_ERROR_MESSAGE);
  }

  private static ExecuteTaskResponse.Builder echo(ExecuteTaskRequest task, String proverId) {
    return ExecuteTaskResponse.newBuilder()
        .setJobId(task.getJobId())
        .setProverId(proverId)
        .setTaskId(task.getTaskId())
        .setTaskType(task.getTaskType());
  }
}
