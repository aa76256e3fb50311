package zisk.distributed.common.rules;

/**
 * The one rule for text that comes from the network or from a prover (error messages, reasons, ids)
 * before it is stored or logged: bounded in length and cleaned of what PostgreSQL or a log line
 * cannot take.
 *
 * <p>Cleaning replaces, one character for one:
 *
 * <ul>
 *   <li>line breaks and tabs (CR, LF, TAB, VT, FF, NEL, U+2028, U+2029) by a space, so that one
 *       message stays one log line and cannot forge the next;
 *   <li>NUL (PostgreSQL refuses it in text), every other C0 or C1 control character and DEL, the
 *       bidirectional overrides and isolates (U+202A to U+202E, U+2066 to U+2069, which reorder
 *       what a terminal shows) and lone surrogates (not encodable as UTF-8) by U+FFFD.
 * </ul>
 *
 * <p>Bounding keeps the head of a long text and says how long it was: {@code abc…(3145728 chars)}.
 * The result of {@link #clean(String, int)} is never longer than its limit, and cleaning a cleaned
 * text changes nothing.
 */
public final class SafeText {

  /** Longest error message stored for a task or a job (a prover's report, a worker's failure). */
  public static final int MAX_ERROR_MESSAGE = 2048;

  /** Longest reason (a cancel's, a shutdown's). */
  public static final int MAX_REASON = 1024;

  /** Longest rendering of a value quoted in an error or a log line (an id that is not one). */
  public static final int MAX_QUOTED = 64;

  /** Shortest limit {@link #clean} accepts: room for a head and the length note. */
  public static final int MIN_LIMIT = 24;

  private static final char REPLACEMENT = '\uFFFD';
  private static final String ELLIPSIS = "…";

  private SafeText() {}

  /**
   * The text cleaned and cut to at most {@code maxChars} characters (UTF-16 units).
   *
   * @param text any text; null reads as empty
   * @param maxChars the limit, at least {@value #MIN_LIMIT}
   */
  public static String clean(String text, int maxChars) {
    if (maxChars < MIN_LIMIT) {
      throw new IllegalArgumentException("limit " + maxChars + " is below " + MIN_LIMIT);
    }
    if (text == null) {
      return "";
    }
    if (text.length() <= maxChars) {
      return replaceUnsafe(text, text.length());
    }
    String note = ELLIPSIS + "(" + text.length() + " chars)";
    int head = maxChars - note.length();
    // Never cut a surrogate pair in two: the half left behind would be a lone surrogate.
    if (Character.isHighSurrogate(text.charAt(head - 1))) {
      head--;
    }
    return replaceUnsafe(text, head) + note;
  }

  /** A value to quote in an error or a log line: cleaned and cut to {@value #MAX_QUOTED}. */
  public static String shorten(String value) {
    return clean(value, MAX_QUOTED);
  }

  /** True when cleaning would change no character (the length is not checked). */
  public static boolean isClean(String text) {
    int length = text.length();
    for (int i = 0; i < length; i++) {
      char c = text.charAt(i);
      if (Character.isSurrogate(c)) {
        if (!pairAt(text, i, length)) {
          return false;
        }
        i++;
      } else if (replacementOf(c) != c) {
        return false;
      }
    }
    return true;
  }

  /** The first {@code end} characters of the text, each unsafe one replaced. */
  private static String replaceUnsafe(String text, int end) {
    if (isClean(text.substring(0, end))) {
      return text.substring(0, end);
    }
    StringBuilder out = new StringBuilder(end);
    for (int i = 0; i < end; i++) {
      char c = text.charAt(i);
      if (Character.isSurrogate(c)) {
        if (pairAt(text, i, end)) {
          out.append(c).append(text.charAt(++i));
        } else {
          out.append(REPLACEMENT);
        }
      } else {
        out.append(replacementOf(c));
      }
    }
    return out.toString();
  }

  /** True when a high surrogate at {@code i} is followed by a low one before {@code end}. */
  private static boolean pairAt(String text, int i, int end) {
    return Character.isHighSurrogate(text.charAt(i))
        && i + 1 < end
        && Character.isLowSurrogate(text.charAt(i + 1));
  }

  /** The character itself when safe, else a space (line breaks, tabs) or U+FFFD. */
  private static char replacementOf(char c) {
    return switch (c) {
      case '\t', '\n', '\u000B', '\f', '\r', '\u0085', '\u2028', '\u2029' -> ' ';
      default -> {
        boolean control = c < 0x20 || (c >= 0x7f && c <= 0x9f);
        boolean bidi = (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069');
        yield control || bidi ? REPLACEMENT : c;
      }
    };
  }
}
