package zisk.distributed.client;

/** What a job's state word (JobStatus.state) means to a client. */
public final class JobStates {

  private JobStates() {}

  /** True for COMPLETED, FAILED and CANCELLED (and any state a newer coordinator adds). */
  public static boolean ended(String state) {
    return !state.equals("QUEUED") && !state.equals("RUNNING") && !state.isEmpty();
  }

  /** The exit status for a job in {@code state}: 0 completed, 1 failed or cancelled. */
  public static int exitCode(String state) {
    return switch (state) {
      case "COMPLETED", "QUEUED", "RUNNING" -> ExitCodes.OK;
      default -> ExitCodes.FAILED;
    };
  }
}
