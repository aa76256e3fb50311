package zisk.distributed.coordinator.lifecycle;

import zisk.distributed.coordinator.store.Phase;

/**
 * What a prover said about a task, as read off its stream: a result (success, with the phase whose
 * shape the result has), a task error, or a ProverError. Nothing in it is trusted yet.
 *
 * @param taskId as sent; may be empty (a ProverError that does not name its task)
 * @param reportedPhase the task type the prover claims, or null when it did not say
 * @param resultPhase the phase whose result shape the report carries, or null when it carries none
 * @param result the serialized result, or null
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
    String errorMessage) {}
