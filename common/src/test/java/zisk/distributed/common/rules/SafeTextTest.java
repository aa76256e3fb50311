package zisk.distributed.common.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SafeTextTest {

  @Test
  void leavesOrdinaryTextAlone() {
    String text = "rank 2 failed: out of memory (80 GiB) — ünïcödé 証明 \uD83D\uDE80";
    assertEquals(text, SafeText.clean(text, SafeText.MAX_ERROR_MESSAGE));
    assertTrue(SafeText.isClean(text));
  }

  @Test
  void replacesNulAndControlCharactersPostgresqlOrALogCannotTake() {
    assertEquals("a\uFFFDb\uFFFDc\uFFFDd", SafeText.clean("a\0b\u0007c\u009Bd", 100));
    assertEquals("a\uFFFDb", SafeText.clean("a\u007Fb", 100));
    assertFalse(SafeText.isClean("a\0b"));
  }

  @Test
  void turnsLineBreaksAndTabsIntoSpacesSoAMessageCannotForgeALogLine() {
    assertEquals(
        "failed  INFO admin logged in a b c",
        SafeText.clean("failed\r\nINFO admin logged in\ta\u2028b\u2029c", 100));
  }

  @Test
  void replacesBidiOverridesAndLoneSurrogates() {
    assertEquals("a\uFFFDb\uFFFDc", SafeText.clean("a\u202Eb\u2066c", 100));
    assertEquals("\uFFFDx\uFFFD", SafeText.clean("\uD800x\uDC00", 100));
    assertEquals("end\uFFFD", SafeText.clean("end\uD83D", 100));
    assertFalse(SafeText.isClean("\uD800"));
  }

  @Test
  void cleanedTextEncodesAsUtf8WithoutLoss() {
    Random random = new Random(7);
    for (int n = 0; n < 200; n++) {
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < 50; i++) {
        text.append((char) random.nextInt(0x10000));
      }
      String cleaned = SafeText.clean(text.toString(), 100);
      String roundTrip =
          new String(cleaned.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
      assertEquals(cleaned, roundTrip);
      assertTrue(SafeText.isClean(cleaned));
      assertEquals(-1, cleaned.indexOf('\0'));
    }
  }

  @Test
  void boundsALongTextAndSaysHowLongItWas() {
    String huge = "abc" + "x".repeat(3 * 1024 * 1024 - 3);
    String shown = SafeText.shorten(huge);
    assertTrue(shown.length() <= SafeText.MAX_QUOTED, shown);
    assertTrue(shown.startsWith("abcxx"), shown);
    assertTrue(shown.endsWith("…(3145728 chars)"), shown);

    String message = SafeText.clean("\0".repeat(1 << 20), SafeText.MAX_ERROR_MESSAGE);
    assertEquals(SafeText.MAX_ERROR_MESSAGE, message.length());
    assertTrue(message.endsWith("…(1048576 chars)"), message.substring(2000));
  }

  @Test
  void neverCutsASurrogatePairInTwo() {
    String rockets = "\uD83D\uDE80".repeat(100);
    for (int limit = SafeText.MIN_LIMIT; limit < 60; limit++) {
      String cut = SafeText.clean(rockets, limit);
      assertTrue(cut.length() <= limit);
      assertTrue(SafeText.isClean(cut), cut);
    }
  }

  @Test
  void cleaningIsIdempotent() {
    String text = "id\0" + "y".repeat(500) + "\uD800";
    String once = SafeText.clean(text, 100);
    assertEquals(once, SafeText.clean(once, 100));
    assertEquals(SafeText.shorten(once), SafeText.shorten(SafeText.shorten(once)));
  }

  @Test
  void aShortCleanValueIsShownAsItIs() {
    String uuid = "3f1c2a9e-2b9e-4d1a-9c55-0f1e2d3c4b5a";
    assertEquals(uuid, SafeText.shorten(uuid));
    assertEquals("", SafeText.clean(null, 100));
  }

  @Test
  void refusesALimitTooSmallForTheLengthNote() {
    assertThrows(IllegalArgumentException.class, () -> SafeText.clean("x", 10));
  }
}
