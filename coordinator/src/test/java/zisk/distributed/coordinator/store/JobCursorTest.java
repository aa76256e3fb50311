package zisk.distributed.coordinator.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class JobCursorTest {

  @Test
  void decodesWhatItEncoded() {
    JobCursor cursor =
        new JobCursor(Instant.parse("2025-03-01T12:00:00.123456Z"), UUID.randomUUID());

    assertEquals(Optional.of(cursor), JobCursor.decode(cursor.encode()));
  }

  @Test
  void tokensItDidNotProduceAreNoCursor() {
    assertEquals(Optional.empty(), JobCursor.decode("not base64!"));
    assertEquals(Optional.empty(), JobCursor.decode(token("no bar")));
    assertEquals(Optional.empty(), JobCursor.decode(token("soon|" + UUID.randomUUID())));
    // UUID.fromString would read this as 00000001-0001-0001-0001-000000000001.
    assertEquals(Optional.empty(), JobCursor.decode(token("1740830400123456|1-1-1-1-1")));
  }

  private static String token(String raw) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }
}
