package zisk.distributed.reference;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Which lanes each rank proves: contiguous ranges, in rank order, sized in proportion to the ranks'
 * compute units.
 *
 * <p>Sizes follow the largest-remainder rule: rank {@code r} first gets {@code floor(lanes * w_r /
 * W)} lanes, and the lanes left over go one each to the largest remainders (lower rank first on
 * ties). Then, when there are at least as many lanes as ranks, every rank left empty takes one lane
 * from the rank with the most (lower rank first on ties), so every rank has work. With fewer lanes
 * than ranks some ranks have none; they contribute and prove nothing.
 *
 * <p>The split depends only on the lane count and the weights, so every rank, the aggregator and
 * the verifier compute the same one.
 */
public final class LaneSplit {

  /** Most ranks a job may have. */
  public static final int MAX_RANKS = 65_536;

  /** Largest weight: compute units are {@code uint32} on the wire. */
  public static final long MAX_WEIGHT = 0xFFFF_FFFFL;

  private final long[] weights;

  /** {@code firstLane[r]} is rank r's first lane; {@code firstLane[ranks]} is the lane count. */
  private final int[] firstLane;

  private LaneSplit(long[] weights, int[] counts) {
    this.weights = weights;
    this.firstLane = new int[counts.length + 1];
    for (int r = 0; r < counts.length; r++) {
      firstLane[r + 1] = firstLane[r] + counts[r];
    }
  }

  /**
   * Splits {@code lanes} lanes over ranks with the given compute units (a proto {@code repeated
   * uint32}, read unsigned).
   */
  public static LaneSplit of(int lanes, List<Integer> allocation) {
    return of(lanes, allocation.stream().mapToLong(Integer::toUnsignedLong).toArray());
  }

  /** Splits {@code lanes} lanes over {@code weights.length} ranks in proportion to the weights. */
  public static LaneSplit of(int lanes, long[] weights) {
    if (lanes < 0) {
      throw new IllegalArgumentException("lanes must not be negative, got " + lanes);
    }
    if (weights.length == 0 || weights.length > MAX_RANKS) {
      throw new IllegalArgumentException(
          "allocation must have 1 to " + MAX_RANKS + " ranks, got " + weights.length);
    }
    long total = 0;
    for (long weight : weights) {
      if (weight < 0 || weight > MAX_WEIGHT) {
        throw new IllegalArgumentException(
            "allocation entries must be between 0 and " + MAX_WEIGHT + ", got " + weight);
      }
      total += weight;
    }
    if (total == 0) {
      throw new IllegalArgumentException("allocation must have at least one positive entry");
    }
    int[] counts = proportionalCounts(lanes, weights, total);
    if (lanes >= weights.length) {
      fillEmptyRanks(counts);
    }
    return new LaneSplit(weights.clone(), counts);
  }

  public int ranks() {
    return weights.length;
  }

  public int lanes() {
    return firstLane[weights.length];
  }

  /** A copy of the weights the split was made from. */
  public long[] weights() {
    return weights.clone();
  }

  public int firstLane(int rank) {
    return firstLane[checkRank(rank)];
  }

  /** One past the last lane of {@code rank}. */
  public int endLane(int rank) {
    return firstLane[checkRank(rank) + 1];
  }

  public int laneCount(int rank) {
    return endLane(rank) - firstLane(rank);
  }

  /** The rank that proves {@code lane}. */
  public int rankOf(int lane) {
    if (lane < 0 || lane >= lanes()) {
      throw new IllegalArgumentException("lane " + lane + " is not in [0, " + lanes() + ")");
    }
    // The last rank whose range starts at or before the lane; empty ranks share a start.
    int found = Arrays.binarySearch(firstLane, lane);
    int rank = found >= 0 ? found : -found - 2;
    while (firstLane[rank + 1] <= lane) {
      rank++;
    }
    return rank;
  }

  @Override
  public String toString() {
    return "LaneSplit" + Arrays.toString(firstLane);
  }

  private int checkRank(int rank) {
    if (rank < 0 || rank >= weights.length) {
      throw new IllegalArgumentException("rank " + rank + " is not in [0, " + weights.length + ")");
    }
    return rank;
  }

  private static int[] proportionalCounts(int lanes, long[] weights, long total) {
    int[] counts = new int[weights.length];
    long[] remainders = new long[weights.length];
    int given = 0;
    for (int r = 0; r < weights.length; r++) {
      long share = lanes * weights[r]; // at most 2^31 * 2^32: fits a long
      counts[r] = (int) (share / total);
      remainders[r] = share % total;
      given += counts[r];
    }
    int[] byRemainder =
        IntStream.range(0, weights.length)
            .boxed()
            .sorted(Comparator.<Integer>comparingLong(r -> -remainders[r]).thenComparing(r -> r))
            .mapToInt(Integer::intValue)
            .toArray();
    for (int i = 0; given < lanes; i++, given++) {
      counts[byRemainder[i]]++;
    }
    return counts;
  }

  private static void fillEmptyRanks(int[] counts) {
    for (int r = 0; r < counts.length; r++) {
      if (counts[r] == 0) {
        int donor = 0;
        for (int d = 1; d < counts.length; d++) {
          if (counts[d] > counts[donor]) {
            donor = d;
          }
        }
        counts[donor]--;
        counts[r]++;
      }
    }
  }
}
