package zisk.distributed.worker.referenceprover;

/** A request that ends with an {@code error} message of the given code (never fatal). */
final class RequestFailure extends Exception {

  private final ErrorCode code;

  RequestFailure(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  ErrorCode code() {
    return code;
  }
}
