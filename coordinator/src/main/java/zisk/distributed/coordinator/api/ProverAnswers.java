package zisk.distributed.coordinator.api;

import zisk.distributed.api.v1.ExecuteTaskResponse;
import zisk.distributed.api.v1.ProverError;
import zisk.distributed.api.v1.TaskType;
import zisk.distributed.common.rules.SafeText;
import zisk.distributed.coordinator.lifecycle.TaskReport;
import zisk.distributed.coordinator.session.ProverSession;
import zisk.distributed.coordinator.store.Phase;

/**
 * A prover's answer about a task, read off its stream: the task is marked answered in the session
 * (before the transition, so that the next task it may trigger does not count this one as
 * unanswered), and the answer becomes the report the lifecycle reads. An answer that names no task
 * (a seed-era worker) gets the id of the task it is about from the session, when that task was sent
 * on this stream: it is then checked and written like any other, in one statement with the others,
 * and the report lanes do not wait for it as for a rank still out.
 */
final class ProverAnswers {

  private ProverAnswers() {}

  /** A task's result, success or failure; the result's shape names the phase it belongs to. */
  static TaskReport result(ProverSession session, ExecuteTaskResponse response) {
    Phase shape =
        switch (response.getResultDataCase()) {
          case CHALLENGES -> Phase.PARTIAL_CONTRIBUTION;
          case PROOFS -> Phase.PROVE;
          case FINAL_PROOF -> Phase.AGGREGATE;
          case RESULTDATA_NOT_SET -> null;
        };
    byte[] result =
        switch (response.getResultDataCase()) {
          case CHALLENGES -> response.getChallenges().toByteArray();
          case PROOFS -> response.getProofs().toByteArray();
          case FINAL_PROOF -> response.getFinalProof().toByteArray();
          case RESULTDATA_NOT_SET -> null;
        };
    Phase reported =
        switch (response.getTaskType()) {
          case PARTIAL_CONTRIBUTION -> Phase.PARTIAL_CONTRIBUTION;
          case PROVE -> Phase.PROVE;
          case AGGREGATE -> Phase.AGGREGATE;
          default -> null;
        };
    String taskId =
        session.answered(
            response.getJobId(),
            response.getTaskId(),
            taskType(reported != null ? reported : shape));
    return new TaskReport(
            session.proverId(),
            session.epoch(),
            SafeText.shorten(taskId),
            SafeText.shorten(response.getJobId()),
            reported,
            response.getSuccess(),
            shape,
            result,
            SafeText.clean(response.getErrorMessage(), SafeText.MAX_ERROR_MESSAGE))
        .withBusy(BusyRefusals.isBusy(response))
        .withInputRefused(response.getInputRefused());
  }

  /** A ProverError: a failure of the prover's running task of that job (the named one, if any). */
  static TaskReport error(ProverSession session, ProverError error) {
    String taskId =
        session.answered(error.getJobId(), error.getTaskId(), TaskType.TASK_TYPE_UNSPECIFIED);
    return new TaskReport(
        session.proverId(),
        session.epoch(),
        SafeText.shorten(taskId),
        SafeText.shorten(error.getJobId()),
        null,
        false,
        null,
        null,
        "prover error: " + SafeText.clean(error.getErrorMessage(), SafeText.MAX_ERROR_MESSAGE));
  }

  /** The phase as the wire names it; unspecified when the answer does not say. */
  private static TaskType taskType(Phase phase) {
    if (phase == null) {
      return TaskType.TASK_TYPE_UNSPECIFIED;
    }
    return switch (phase) {
      case PARTIAL_CONTRIBUTION -> TaskType.PARTIAL_CONTRIBUTION;
      case PROVE -> TaskType.PROVE;
      case AGGREGATE -> TaskType.AGGREGATE;
    };
  }
}
