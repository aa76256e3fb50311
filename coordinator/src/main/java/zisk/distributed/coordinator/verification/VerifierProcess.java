package zisk.distributed.coordinator.verification;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a verifier program once: no shell, stdin closed, stdout and stderr merged and kept only up
 * to a bound (the rest is read and dropped, so a chatty program never blocks on a full pipe), and a
 * time limit after which the whole process tree is killed.
 */
final class VerifierProcess {

  /** How a run ended. */
  enum Ending {
    EXITED,
    TIMED_OUT,
    FAILED_TO_START
  }

  /**
   * @param exitCode the exit status when {@link Ending#EXITED}, else -1
   * @param output the first bytes of stdout and stderr, as text
   * @param outputBytes how many bytes the program wrote in all
   * @param problem why it did not start, when {@link Ending#FAILED_TO_START}
   */
  record Result(Ending ending, int exitCode, String output, long outputBytes, String problem) {}

  /** How long the output reader may lag behind the program's exit (a child may hold the pipe). */
  private static final Duration OUTPUT_GRACE = Duration.ofSeconds(1);

  private VerifierProcess() {}

  static Result run(List<String> argv, Duration timeout, int maxOutputBytes)
      throws InterruptedException {
    Process process;
    try {
      process = new ProcessBuilder(argv).redirectErrorStream(true).start();
    } catch (IOException | RuntimeException e) {
      return new Result(Ending.FAILED_TO_START, -1, "", 0, String.valueOf(e.getMessage()));
    }
    BoundedReader output = new BoundedReader(process.getInputStream(), maxOutputBytes);
    Thread reader = new Thread(output, "proof-verifier-output");
    reader.setDaemon(true);
    reader.start();
    try {
      closeQuietly(process);
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        killTree(process);
        reader.join(OUTPUT_GRACE.toMillis());
        return new Result(Ending.TIMED_OUT, -1, output.text(), output.total(), "");
      }
      reader.join(OUTPUT_GRACE.toMillis());
      return new Result(Ending.EXITED, process.exitValue(), output.text(), output.total(), "");
    } catch (InterruptedException e) {
      killTree(process);
      throw e;
    }
  }

  /** The program and everything it started, found before the parent dies and its children move. */
  static void killTree(Process process) {
    List<ProcessHandle> descendants = process.descendants().toList();
    process.destroyForcibly();
    descendants.forEach(ProcessHandle::destroyForcibly);
  }

  private static void closeQuietly(Process process) {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // The program reads no input; a pipe that is already gone is fine.
    }
  }

  /** Reads a stream to its end, keeping the first {@code limit} bytes. */
  private static final class BoundedReader implements Runnable {
    private final InputStream in;
    private final int limit;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private long total;

    BoundedReader(InputStream in, int limit) {
      this.in = in;
      this.limit = limit;
    }

    @Override
    public void run() {
      byte[] buffer = new byte[8192];
      try (in) {
        int n;
        while ((n = in.read(buffer)) >= 0) {
          synchronized (this) {
            int keep = (int) Math.max(0, Math.min(n, limit - kept.size()));
            kept.write(buffer, 0, keep);
            total += n;
          }
        }
      } catch (IOException e) {
        // The program was killed or closed its output: what was read so far is the output.
      }
    }

    synchronized String text() {
      return kept.toString(StandardCharsets.UTF_8);
    }

    synchronized long total() {
      return total;
    }
  }
}
