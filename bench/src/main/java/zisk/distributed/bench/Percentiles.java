package zisk.distributed.bench;

import java.util.Arrays;

/**
 * Percentiles of a set of durations, by the nearest-rank method on a sorted copy: with a few
 * hundred samples per run there is nothing to gain from a histogram, and every reported figure is
 * one of the measured values.
 */
final class Percentiles {

  private final long[] sorted;

  Percentiles(long[] samples) {
    if (samples.length == 0) {
      throw new IllegalArgumentException("no samples");
    }
    this.sorted = samples.clone();
    Arrays.sort(sorted);
  }

  /** The smallest sample such that at least {@code percent} % of the samples are at or below it. */
  long at(double percent) {
    if (percent <= 0 || percent > 100) {
      throw new IllegalArgumentException("percent must be in (0, 100]: " + percent);
    }
    int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
  }

  long p50() {
    return at(50);
  }

  long p99() {
    return at(99);
  }

  long max() {
    return sorted[sorted.length - 1];
  }

  int count() {
    return sorted.length;
  }

  /** Nanoseconds as milliseconds for the report: two decimals below 10 ms, one above. */
  static String millis(long nanos) {
    double ms = nanos / 1e6;
    return ms < 10 ? String.format("%.2f ms", ms) : String.format("%.1f ms", ms);
  }

  /** {@code p50 1.40 ms p99 6.20 ms} */
  String summary() {
    return String.format("p50 %8s   p99 %8s", millis(p50()), millis(p99()));
  }
}
