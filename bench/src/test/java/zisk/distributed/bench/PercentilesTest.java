package zisk.distributed.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PercentilesTest {

  @Test
  void nearestRankOfOneToAHundred() {
    long[] samples = new long[100];
    for (int i = 0; i < 100; i++) {
      samples[i] = 100 - i; // unsorted on purpose
    }
    Percentiles percentiles = new Percentiles(samples);

    assertEquals(50, percentiles.p50());
    assertEquals(99, percentiles.p99());
    assertEquals(100, percentiles.at(100));
    assertEquals(1, percentiles.at(0.5));
    assertEquals(100, percentiles.max());
    assertEquals(100, percentiles.count());
  }

  @Test
  void smallSamplesReportMeasuredValues() {
    Percentiles percentiles = new Percentiles(new long[] {30, 10, 20});

    assertEquals(20, percentiles.p50());
    assertEquals(30, percentiles.p99());
    assertEquals(10, new Percentiles(new long[] {10}).p99());
  }

  @Test
  void doesNotSortTheCallersArray() {
    long[] samples = {3, 1, 2};
    new Percentiles(samples);

    assertEquals(3, samples[0]);
  }

  @Test
  void rejectsNoSamplesAndBadPercentages() {
    assertThrows(IllegalArgumentException.class, () -> new Percentiles(new long[0]));
    assertThrows(IllegalArgumentException.class, () -> new Percentiles(new long[] {1}).at(0));
    assertThrows(IllegalArgumentException.class, () -> new Percentiles(new long[] {1}).at(101));
  }

  @Test
  void formatsMilliseconds() {
    assertEquals("1.40 ms", Percentiles.millis(1_400_000));
    assertEquals("12.3 ms", Percentiles.millis(12_345_678));
  }
}
