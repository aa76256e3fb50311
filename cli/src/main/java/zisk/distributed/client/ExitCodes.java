package zisk.distributed.client;

/** The exit statuses every client command shares (README "The zisk client"). */
public final class ExitCodes {

  /** The call succeeded; for a job: it completed. */
  public static final int OK = 0;

  /** The job failed or was cancelled, or the coordinator answered an error. */
  public static final int FAILED = 1;

  /** Bad options or arguments. */
  public static final int USAGE = 2;

  /** No coordinator URL answered. */
  public static final int UNREACHABLE = 3;

  /** Ctrl-C while waiting: the job keeps running (128 + SIGINT, what shells expect). */
  public static final int INTERRUPTED = 130;

  private ExitCodes() {}
}
