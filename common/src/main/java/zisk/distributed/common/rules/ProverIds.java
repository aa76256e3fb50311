package zisk.distributed.common.rules;

import java.util.Optional;

/**
 * The one rule for a prover id, applied by the coordinator when a prover registers and by the
 * worker at start-up, so a worker never starts with an id it would then see refused on every
 * registration.
 *
 * <p>An id is non-empty, at most {@link #MAX_LENGTH} characters, printable ASCII without spaces: it
 * appears in logs, SQL rows and notification payloads, where spaces and control characters would
 * only cause confusion.
 */
public final class ProverIds {

  /** The longest prover id, in characters. */
  public static final int MAX_LENGTH = 128;

  private ProverIds() {}

  /**
   * What is wrong with a prover id.
   *
   * @param proverId the id to check (null counts as empty)
   * @return empty when the id is valid, else a message for the operator
   */
  public static Optional<String> problem(String proverId) {
    if (proverId == null || proverId.isEmpty()) {
      return Optional.of("prover_id is required");
    }
    if (proverId.length() > MAX_LENGTH) {
      return Optional.of(
          "prover_id is " + proverId.length() + " characters long; the limit is " + MAX_LENGTH);
    }
    if (!proverId.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      return Optional.of("prover_id must be printable ASCII without spaces");
    }
    return Optional.empty();
  }
}
