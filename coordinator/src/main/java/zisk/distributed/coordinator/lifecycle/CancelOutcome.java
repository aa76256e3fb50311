package zisk.distributed.coordinator.lifecycle;

import zisk.distributed.coordinator.store.Job;

/** What CancelJob did. */
public sealed interface CancelOutcome {
  /** The job is now CANCELLED; {@code effects} stop its provers' tasks. */
  record Cancelled(Job job, Effects effects) implements CancelOutcome {}

  record NotFound() implements CancelOutcome {}

  /** The job had already reached a final state; nothing changed. */
  record AlreadyFinished(Job job) implements CancelOutcome {}
}
