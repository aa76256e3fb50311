package zisk.distributed.coordinator.lifecycle;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** When a launch counts the queue, on a clock the test moves. */
class QueueRoomTest {

  private final AtomicLong now = new AtomicLong();
  private final QueueRoom room = new QueueRoom(now::get);

  @Test
  void theFirstLaunchCounts() {
    assertTrue(room.mustCount(10_000));
  }

  @Test
  void farFromTheBoundLaunchesSkipTheCountUntilItIsStale() {
    room.counted(100);
    assertFalse(room.mustCount(10_000));

    now.addAndGet(QueueRoom.RECOUNT.toNanos() - 1);
    assertFalse(room.mustCount(10_000));

    now.incrementAndGet();
    assertTrue(room.mustCount(10_000));
  }

  @Test
  void withinATenthOfTheBoundEveryLaunchCounts() {
    room.counted(8_999);
    assertFalse(room.mustCount(10_000));

    room.launched();
    assertTrue(room.mustCount(10_000), "8,999 counted and 1 launched since: 9,000");
  }

  @Test
  void aSmallBoundIsCountedOnceAJobMayFillIt() {
    room.counted(0);
    assertTrue(room.mustCount(1));
    assertTrue(room.mustCount(0));
    assertFalse(room.mustCount(2));

    room.launched();
    assertTrue(room.mustCount(2), "one queued of two: the next launch may fill the queue");
  }

  @Test
  void aCountStartsTheEstimateAfresh() {
    room.counted(8_000);
    for (int i = 0; i < 1_000; i++) {
      room.launched();
    }
    assertTrue(room.mustCount(10_000));

    room.counted(500);
    assertFalse(room.mustCount(10_000));
  }
}
