package zisk.distributed.common.rules;

import java.util.Optional;
import java.util.UUID;

/**
 * Parses ids that arrive as text (job and task ids from clients, workers and page tokens).
 *
 * <p>{@link UUID#fromString} is lenient: it accepts "1-1-1-1-1", and in its 36-character form a
 * sign inside a group, so a client could name one job by many strings. Only the canonical form
 * (8-4-4-4-12 hex digits, either case) is taken here; anything else is simply not an id.
 */
public final class Uuids {

  private static final int LENGTH = 36;

  private Uuids() {}

  /**
   * @param text the text to parse; may be null
   * @return the UUID, or empty when the text is not a canonical UUID (never throws)
   */
  public static Optional<UUID> parse(String text) {
    if (text == null || text.length() != LENGTH) {
      return Optional.empty();
    }
    for (int i = 0; i < LENGTH; i++) {
      char c = text.charAt(i);
      boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash ? c != '-' : !isHexDigit(c)) {
        return Optional.empty();
      }
    }
    return Optional.of(UUID.fromString(text));
  }

  private static boolean isHexDigit(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }
}
