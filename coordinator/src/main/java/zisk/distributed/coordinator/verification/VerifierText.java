package zisk.distributed.coordinator.verification;

/**
 * Text that comes out of a verifier (its reasons, a command's output) is bounded and cleaned before
 * it is logged or stored: a proof or a verifier program must not be able to flood a log, break a
 * log line, or put a NUL byte into a PostgreSQL text column.
 */
public final class VerifierText {

  /** Most characters of verifier text kept in a verdict or a log line. */
  public static final int MAX_CHARS = 500;

  private VerifierText() {}

  /** Control characters (and so NUL) become spaces; beyond {@value #MAX_CHARS} it is cut. */
  public static String clean(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_CHARS + 1));
    for (int i = 0; i < text.length() && out.length() < MAX_CHARS; i++) {
      char c = text.charAt(i);
      out.append(Character.isISOControl(c) || Character.isSurrogate(c) ? ' ' : c);
    }
    String cleaned = out.toString().strip();
    return text.length() > MAX_CHARS ? cleaned + " …" : cleaned;
  }
}
