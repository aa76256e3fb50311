package zisk.distributed.client;

import java.io.PrintWriter;

/**
 * While a command waits on a job, Ctrl-C leaves the job running: this prints how to follow it again
 * as the program exits (the JVM then exits with 130, 128 + SIGINT).
 */
public final class InterruptHint implements AutoCloseable {

  private final Thread hook;

  private InterruptHint(Thread hook) {
    this.hook = hook;
  }

  /** Installs the hint for {@code jobId}, to remove with {@link #close()} once the wait is over. */
  public static InterruptHint install(String jobId, String urls, PrintWriter err) {
    Thread hook =
        new Thread(
            () -> {
              err.println();
              err.println(text(jobId, urls));
              err.flush();
            },
            "zisk-interrupt-hint");
    Runtime.getRuntime().addShutdownHook(hook);
    return new InterruptHint(hook);
  }

  /** What the hint says. */
  public static String text(String jobId, String urls) {
    return "Stopped waiting; job "
        + jobId
        + " keeps running. Follow it again with: zisk watch "
        + jobId
        + " --url "
        + urls;
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down: the hint runs
    }
  }
}
