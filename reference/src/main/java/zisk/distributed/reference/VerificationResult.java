package zisk.distributed.reference;

/**
 * The verdict on a final proof: valid, with what was checked, or invalid, with why.
 *
 * @param valid whether the proof holds for the input
 * @param reason why it does not; empty when valid
 * @param lanes lanes checked (0 when invalid)
 * @param steps steps per lane (0 when invalid)
 * @param openingsChecked Merkle openings checked (0 when invalid)
 */
public record VerificationResult(
    boolean valid, String reason, int lanes, long steps, int openingsChecked) {

  static VerificationResult valid(int lanes, long steps, int openingsChecked) {
    return new VerificationResult(true, "", lanes, steps, openingsChecked);
  }

  static VerificationResult invalid(String reason) {
    return new VerificationResult(false, reason, 0, 0, 0);
  }

  /** One line for people: {@code proof OK (...)} or {@code proof INVALID: reason}. */
  public String summary() {
    return valid
        ? "proof OK: "
            + lanes
            + " lanes, "
            + steps
            + " steps per lane, "
            + openingsChecked
            + " Merkle openings checked"
        : "proof INVALID: " + reason;
  }
}
