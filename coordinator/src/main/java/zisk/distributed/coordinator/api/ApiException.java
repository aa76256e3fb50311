package zisk.distributed.coordinator.api;

import zisk.distributed.common.rules.SafeText;

/**
 * An expected failure of an admin call, answered to the client as {@code ErrorResponse{code,
 * message}}.
 */
public final class ApiException extends RuntimeException {

  public static final String INVALID_ARGUMENT = "INVALID_ARGUMENT";
  public static final String JOB_NOT_FOUND = "JOB_NOT_FOUND";
  public static final String PROVER_UNAVAILABLE = "PROVER_UNAVAILABLE";
  public static final String SYSTEM_UNAVAILABLE = "SYSTEM_UNAVAILABLE";
  public static final String FAILED_PRECONDITION = "FAILED_PRECONDITION";
  public static final String PROOF_NOT_READY = "PROOF_NOT_READY";
  public static final String RESOURCE_EXHAUSTED = "RESOURCE_EXHAUSTED";
  public static final String INTERNAL = "INTERNAL";
  public static final String INPUT_NOT_FOUND = "INPUT_NOT_FOUND";

  private final String code;

  public ApiException(String code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public String code() {
    return code;
  }

  public static ApiException invalidArgument(String message) {
    return new ApiException(INVALID_ARGUMENT, message);
  }

  public static ApiException jobNotFound(String jobId) {
    return new ApiException(JOB_NOT_FOUND, "no job with id '" + SafeText.shorten(jobId) + "'");
  }
}
