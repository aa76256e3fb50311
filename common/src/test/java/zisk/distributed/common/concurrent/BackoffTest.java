package zisk.distributed.common.concurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackoffTest {

  private static final Duration BASE = Duration.ofSeconds(5);
  private static final Duration CAP = Duration.ofSeconds(60);

  @Test
  void ceilingDoublesUntilTheCap() {
    Backoff backoff = new Backoff(BASE, CAP, new Random(1));

    assertEquals(Duration.ofSeconds(5).toNanos(), backoff.ceiling(0));
    assertEquals(Duration.ofSeconds(10).toNanos(), backoff.ceiling(1));
    assertEquals(Duration.ofSeconds(40).toNanos(), backoff.ceiling(3));
    assertEquals(CAP.toNanos(), backoff.ceiling(4));
    assertEquals(CAP.toNanos(), backoff.ceiling(1_000));
  }

  @Test
  void delaysGrowStayWithinHalfToFullCeilingAndAreCapped() {
    Backoff backoff = new Backoff(BASE, CAP, new Random(42));

    List<Duration> delays = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      delays.add(backoff.nextDelay());
    }

    for (int i = 0; i < delays.size(); i++) {
      long ceiling = backoff.ceiling(i);
      long delay = delays.get(i).toNanos();
      assertTrue(delay >= ceiling / 2 && delay < ceiling, "delay " + i + " = " + delays.get(i));
      assertTrue(delays.get(i).compareTo(CAP) <= 0, "capped: " + delays.get(i));
    }
    // With equal jitter each delay's lower bound is above the previous one's upper bound half-way:
    // delay i+1 >= ceiling(i+1)/2 = ceiling(i) > delay i, until the cap.
    for (int i = 0; i < 3; i++) {
      assertTrue(delays.get(i + 1).compareTo(delays.get(i)) > 0, "grows: " + delays);
    }
    assertTrue(
        delays.get(11).compareTo(CAP.dividedBy(2)) >= 0, "late delays sit near the cap: " + delays);
  }

  @Test
  void jitterSpreadsWorkersApart() {
    Set<Duration> firstDelays = new HashSet<>();
    for (int seed = 0; seed < 20; seed++) {
      firstDelays.add(new Backoff(BASE, CAP, new Random(seed)).nextDelay());
    }

    assertTrue(firstDelays.size() > 15, "different seeds give different delays: " + firstDelays);
  }

  @Test
  void sameSeedGivesTheSameDelays() {
    Backoff one = new Backoff(BASE, CAP, new Random(7));
    Backoff two = new Backoff(BASE, CAP, new Random(7));

    for (int i = 0; i < 6; i++) {
      assertEquals(one.nextDelay(), two.nextDelay());
    }
  }

  @Test
  void resetStartsOverFromTheBase() {
    Backoff backoff = new Backoff(BASE, CAP, new Random(3));
    for (int i = 0; i < 6; i++) {
      backoff.nextDelay();
    }

    backoff.reset();
    Duration first = backoff.nextDelay();

    assertTrue(
        first.compareTo(BASE) < 0 && first.compareTo(BASE.dividedBy(2)) >= 0,
        "first delay " + first);
  }

  @Test
  void subSecondIntervalsWorkForTests() {
    Backoff backoff = new Backoff(Duration.ofMillis(20), Duration.ofMillis(80), new Random(5));

    Duration delay = backoff.nextDelay();

    assertTrue(
        delay.compareTo(Duration.ofMillis(10)) >= 0 && delay.compareTo(Duration.ofMillis(20)) < 0);
    assertNotEquals(Duration.ZERO, delay);
  }

  @Test
  void rejectsACapBelowTheBase() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new Backoff(BASE, Duration.ofSeconds(1), new Random()));
  }
}
