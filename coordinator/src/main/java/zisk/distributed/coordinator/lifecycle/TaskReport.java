package zisk.distributed.coordinator.lifecycle;

import zisk.distributed.coordinator.store.Phase;
import zisk.distributed.coordinator.verification.ProofVerdict;

/**
 * What a prover said about a task, as read off its stream: a result (success, with the phase whose
 * shape the result has), a task error, or a ProverError. Nothing in it is trusted yet.
 *
 * @param taskId as sent; may be empty (a ProverError that does not name its task)
 * @param reportedPhase the task type the prover claims, or null when it did not say
 * @param resultPhase the phase whose result shape the report carries, or null when it carries none
 * @param result the serialized result, or null
 * @param verdict what the coordinator's verifier concluded about a final proof; a final proof
 *     counts only with an {@linkplain ProofVerdict#accepted() accepted} verdict
 * @param busy the prover refused the task because it runs another one: not a failure of the task
 * @param inputRefused the task failed because its input cannot be used: the launcher's fault, not
 *     the prover's (no quarantine fault)
 */
public record TaskReport(
    String proverId,
    long epoch,
    String taskId,
    String jobId,
    Phase reportedPhase,
    boolean success,
    Phase resultPhase,
    byte[] result,
    String errorMessage,
    ProofVerdict verdict,
    boolean busy,
    boolean inputRefused) {

  /** A report whose result, if it is a final proof, is not verified (yet). */
  public TaskReport(
      String proverId,
      long epoch,
      String taskId,
      String jobId,
      Phase reportedPhase,
      boolean success,
      Phase resultPhase,
      byte[] result,
      String errorMessage) {
    this(
        proverId,
        epoch,
        taskId,
        jobId,
        reportedPhase,
        success,
        resultPhase,
        result,
        errorMessage,
        ProofVerdict.NOT_VERIFIED,
        false,
        false);
  }

  /** Whether this report carries a final proof, which must be verified before it counts. */
  public boolean carriesFinalProof() {
    return success && resultPhase == Phase.AGGREGATE;
  }

  /** This report with the verifier's verdict on its final proof. */
  public TaskReport withVerdict(ProofVerdict newVerdict) {
    return new TaskReport(
        proverId,
        epoch,
        taskId,
        jobId,
        reportedPhase,
        success,
        resultPhase,
        result,
        errorMessage,
        newVerdict,
        busy,
        inputRefused);
  }

  /** This report, marked as a busy refusal ({@code busy} true) or not. */
  public TaskReport withBusy(boolean refusedAsBusy) {
    return new TaskReport(
        proverId,
        epoch,
        taskId,
        jobId,
        reportedPhase,
        success,
        resultPhase,
        result,
        errorMessage,
        verdict,
        refusedAsBusy && !success,
        inputRefused);
  }

  /** This report, marked as failed on an unusable input ({@code refused} true) or not. */
  public TaskReport withInputRefused(boolean refused) {
    return new TaskReport(
        proverId,
        epoch,
        taskId,
        jobId,
        reportedPhase,
        success,
        resultPhase,
        result,
        errorMessage,
        verdict,
        busy,
        refused && !success);
  }
}
