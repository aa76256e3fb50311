package zisk.distributed.coordinator.lifecycle;

import java.util.UUID;

/**
 * What LaunchProof did: created a job, or found the one an earlier call with the same request id
 * created.
 */
public sealed interface LaunchOutcome {
  record Created(UUID jobId) implements LaunchOutcome {}

  record Existing(UUID jobId) implements LaunchOutcome {}

  /** The client request id was used before for a different request. */
  record Conflict(UUID jobId) implements LaunchOutcome {}

  /** The client request id belongs to a job another token launched; its id is not for this one. */
  record TakenByAnother() implements LaunchOutcome {}

  /** The input_id names no stored input; nothing was created. */
  record UnknownInput() implements LaunchOutcome {}

  /** The queue holds its maximum of QUEUED jobs already; nothing was created. */
  record QueueFull() implements LaunchOutcome {}
}
