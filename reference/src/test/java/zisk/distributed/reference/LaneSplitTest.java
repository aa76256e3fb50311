package zisk.distributed.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LaneSplitTest {

  @Test
  void splitsInProportionToComputeUnits() {
    assertArrayEquals(new int[] {8}, counts(LaneSplit.of(8, new long[] {1})));
    assertArrayEquals(new int[] {4, 4}, counts(LaneSplit.of(8, new long[] {2, 2})));
    // 8 * 4/7 = 4.57, 8 * 2/7 = 2.29, 8 * 1/7 = 1.14: the spare lane goes to the largest remainder.
    assertArrayEquals(new int[] {5, 2, 1}, counts(LaneSplit.of(8, new long[] {4, 2, 1})));
    assertArrayEquals(new int[] {2, 1}, counts(LaneSplit.of(3, new long[] {1, 1})));
  }

  @Test
  void givesEveryRankALaneWhenThereAreEnough() {
    // Proportionally rank 1 and 2 would get nothing.
    assertArrayEquals(new int[] {2, 1, 1}, counts(LaneSplit.of(4, new long[] {100, 1, 1})));
    assertArrayEquals(new int[] {1, 1, 1}, counts(LaneSplit.of(3, new long[] {0, 5, 0})));
  }

  @Test
  void leavesSomeRanksEmptyWhenLanesAreFewerThanRanks() {
    LaneSplit split = LaneSplit.of(2, new long[] {1, 1, 1});

    assertArrayEquals(new int[] {1, 1, 0}, counts(split));
    assertEquals(2, split.firstLane(2));
    assertEquals(2, split.endLane(2));
  }

  @Test
  void coversEveryLaneExactlyOnceInRankOrder() {
    Random random = new Random(7);
    for (int trial = 0; trial < 500; trial++) {
      int lanes = 1 + random.nextInt(40);
      long[] weights = random.ints(1 + random.nextInt(9), 0, 6).asLongStream().toArray();
      if (IntStream.range(0, weights.length).allMatch(r -> weights[r] == 0)) {
        weights[0] = 1;
      }
      LaneSplit split = LaneSplit.of(lanes, weights);

      int next = 0;
      for (int rank = 0; rank < split.ranks(); rank++) {
        assertEquals(next, split.firstLane(rank));
        for (int lane = split.firstLane(rank); lane < split.endLane(rank); lane++) {
          assertEquals(rank, split.rankOf(lane), split + " lane " + lane);
        }
        if (lanes >= weights.length) {
          assertTrue(split.laneCount(rank) >= 1, split.toString());
        }
        next = split.endLane(rank);
      }
      assertEquals(lanes, next);
      assertEquals(lanes, split.lanes());
    }
  }

  @Test
  void isDeterministic() {
    long[] weights = {3, 1, 4, 1, 5};

    assertEquals(LaneSplit.of(37, weights).toString(), LaneSplit.of(37, weights).toString());
  }

  @Test
  void readsAllocationAsUnsigned() {
    // 0xFFFFFFFF units on the wire arrive as -1 in a Java int.
    LaneSplit split = LaneSplit.of(4, List.of(-1, 1));

    assertEquals(LaneSplit.MAX_WEIGHT, split.weights()[0]);
    assertArrayEquals(new int[] {3, 1}, counts(split));
  }

  @Test
  void rejectsBadAllocations() {
    assertThrows(IllegalArgumentException.class, () -> LaneSplit.of(4, new long[0]));
    assertThrows(IllegalArgumentException.class, () -> LaneSplit.of(4, new long[] {0, 0}));
    assertThrows(IllegalArgumentException.class, () -> LaneSplit.of(4, new long[] {-1}));
    assertThrows(IllegalArgumentException.class, () -> LaneSplit.of(4, new long[] {1L << 32}));
    assertThrows(IllegalArgumentException.class, () -> LaneSplit.of(4, new long[] {1}).rankOf(4));
  }

  private static int[] counts(LaneSplit split) {
    return IntStream.range(0, split.ranks()).map(split::laneCount).toArray();
  }
}
