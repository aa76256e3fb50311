package zisk.distributed.client;

import java.io.Console;
import java.io.PrintWriter;
import java.time.Clock;

/** Picks how a watch is shown: bars on a terminal, JSON lines for json, plain lines otherwise. */
public final class ProgressViews {

  private ProgressViews() {}

  /**
   * Whether standard input and output are a terminal. Java 17 has no console when either is
   * redirected; from Java 22 there is always one, and Console.isTerminal() tells.
   */
  public static boolean terminal() {
    Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException e) {
      return true; // Java 17 to 21: a console means a terminal
    }
  }

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
