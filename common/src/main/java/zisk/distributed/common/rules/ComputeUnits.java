package zisk.distributed.common.rules;

import java.util.Optional;

/**
 * The one rule for the compute units a prover offers, applied by the coordinator when a prover
 * registers and by the worker at start-up, so both agree on the cap.
 */
public final class ComputeUnits {

  /** The most compute units one prover may offer. */
  public static final int MAX_PER_PROVER = 1_000_000;

  private ComputeUnits() {}

  /**
   * What is wrong with a prover's compute units.
   *
   * @param units the units offered (the wire field is unsigned: pass it widened to a long)
   * @return empty when the units are acceptable, else a message for the operator
   */
  public static Optional<String> problem(long units) {
    if (units <= 0) {
      return Optional.of("compute_units must be greater than 0");
    }
    if (units > MAX_PER_PROVER) {
      return Optional.of("compute_units " + units + " exceeds the limit of " + MAX_PER_PROVER);
    }
    return Optional.empty();
  }
}
