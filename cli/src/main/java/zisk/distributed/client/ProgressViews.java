package zisk.distributed.client;

import java.io.PrintWriter;
import java.time.Clock;

/** Picks how a watch is shown: bars on a terminal, JSON lines for json, plain lines otherwise. */
public final class ProgressViews {

  private ProgressViews() {}

  /**
   * @param json {@code --output json}
   * @param terminal whether standard output is a terminal ({@code System.console() != null})
   */
  public static ProgressView choose(
      boolean json, boolean terminal, PrintWriter out, PrintWriter err) {
    if (json) {
      return new JsonLines(out, err);
    }
    return terminal ? new ProgressBars(out) : new PlainLines(out, Clock.systemUTC());
  }
}
