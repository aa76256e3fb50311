package zisk.distributed.coordinator.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import zisk.distributed.coordinator.testing.LogCapture;
import zisk.distributed.coordinator.testing.SettableClock;

/** The warn lines of one stream's ignored messages, and their rate limit. */
class IgnoredMessagesTest {

  @Test
  void aFloodOfIgnoredMessagesCostsAtMostTheLimitOfLinesAMinuteAndTheRestIsCounted() {
    SettableClock clock = new SettableClock(Instant.parse("2026-01-01T00:00:00Z"));
    IgnoredMessages ignored = new IgnoredMessages("w1", clock);
    try (LogCapture logs = LogCapture.of(IgnoredMessages.class)) {
      for (int i = 0; i < IgnoredMessages.PER_MINUTE + 5; i++) {
        ignored.ignored("result ignored: stale " + i);
      }
      assertEquals(IgnoredMessages.PER_MINUTE, logs.lines().size());

      clock.advance(Duration.ofMinutes(1));
      ignored.ignored("result ignored: stale again");

      List<String> lines = logs.lines();
      assertEquals(IgnoredMessages.PER_MINUTE + 1, lines.size());
      String last = lines.get(lines.size() - 1);
      assertTrue(
          last.startsWith("WARN Prover w1: result ignored: stale again (5 earlier line(s)"), last);
    }
  }
}
