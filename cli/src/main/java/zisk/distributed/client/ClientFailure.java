package zisk.distributed.client;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Objects;
import zisk.distributed.api.v1.ErrorResponse;
import zisk.distributed.common.rules.SafeText;

/** Why a client command stops, with the exit status it stops with. */
public final class ClientFailure extends RuntimeException {

  private final int exitCode;

  public ClientFailure(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }

  /** Bad options or arguments (exit 2). */
  public static ClientFailure usage(String message) {
    return new ClientFailure(ExitCodes.USAGE, message);
  }

  /** The coordinator answered an ErrorResponse (exit 1). */
  public static ClientFailure answered(String what, ErrorResponse error) {
    return new ClientFailure(
        ExitCodes.FAILED, what + ": " + error.getCode() + ": " + text(error.getMessage()));
  }

  /** A call that reached a coordinator and was refused or failed there (exit 1). */
  public static ClientFailure rejected(String what, String url, StatusRuntimeException e) {
    String reason =
        switch (e.getStatus().getCode()) {
          case UNAUTHENTICATED, PERMISSION_DENIED ->
              "the coordinator at " + url + " refused the call (check --token): ";
          case UNIMPLEMENTED ->
              "the coordinator at " + url + " does not offer it (an older version?): ";
          default -> "failed at " + url + ": ";
        };
    return new ClientFailure(ExitCodes.FAILED, what + ": " + reason + brief(e.getStatus()));
  }

  private static String text(String untrusted) {
    return SafeText.clean(untrusted, SafeText.MAX_ERROR_MESSAGE);
  }

  /** The status without its cause's stack trace (which Status.toString includes). */
  public static String brief(Status status) {
    String text = status.getCode() + " " + text(Objects.toString(status.getDescription(), ""));
    Throwable cause = status.getCause();
    return cause == null || cause.getMessage() == null
        ? text.trim()
        : text.trim() + " (" + text(cause.getMessage()) + ")";
  }
}
