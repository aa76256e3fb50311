package zisk.distributed.worker.referenceprover;

/** A line that is not a valid request; answered with BAD_REQUEST under {@link #id()}. */
final class MalformedRequest extends Exception {

  private final String id;

  /**
   * @param id the request's id when the line had a string one, else null
   */
  MalformedRequest(String id, String message) {
    super(message, null, false, false);
    this.id = id;
  }

  String id() {
    return id;
  }
}
