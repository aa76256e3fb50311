package zisk.distributed.coordinator.config;

import java.time.Duration;

/**
 * How long a task may run on its prover, per phase, counted from when it was DISPATCHED; past it,
 * the task is TIMED_OUT, cancelled on its prover and its rank handled as lost. A job may ask for
 * lower limits in LaunchProof, never higher ones. The defaults leave room for real GPU proofs of
 * large blocks (minutes each, more on a loaded or slow GPU): an hour for a partial contribution or
 * a proof, half an hour to aggregate; they only bound a prover that hangs.
 *
 * @param partialContribution limit of a PARTIAL_CONTRIBUTION task
 * @param prove limit of a PROVE task
 * @param aggregate limit of an AGGREGATE task
 */
public record TaskTimeouts(Duration partialContribution, Duration prove, Duration aggregate) {

  public static final TaskTimeouts DEFAULT =
      new TaskTimeouts(Duration.ofHours(1), Duration.ofHours(1), Duration.ofMinutes(30));

  /** The most a limit may be configured to: 7 days. */
  public static final int MAX_SECONDS = 604_800;
}
