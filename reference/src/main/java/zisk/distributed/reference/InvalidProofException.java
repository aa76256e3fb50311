package zisk.distributed.reference;

/** A contribution, partial proof or final proof that is malformed or does not check. */
public final class InvalidProofException extends Exception {

  private static final long serialVersionUID = 1L;

  public InvalidProofException(String message) {
    super(message);
  }

  /** The same failure, with {@code context} (for example which lane) in front of the message. */
  public InvalidProofException within(String context) {
    return new InvalidProofException(context + ": " + getMessage());
  }
}
