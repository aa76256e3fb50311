package zisk.distributed.coordinator.scheduling;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AwaitedResultsTest {

  private final AtomicLong now = new AtomicLong();
  private final AwaitedResults awaited = new AwaitedResults(now::get);

  @Test
  void aJobIsAwaitedUntilEachTaskSentFromHereIsAnswered() {
    awaited.sent("job", "rank-0");
    awaited.sent("job", "rank-1");

    awaited.answered("job", "rank-0");
    assertTrue(awaited.awaited("job"), "rank 1 is still out");
    awaited.answered("job", "forged");
    awaited.answered("other job", "rank-1");
    assertTrue(awaited.awaited("job"), "answers about other tasks change nothing");

    awaited.answered("job", "rank-1");
    assertFalse(awaited.awaited("job"));
    assertFalse(awaited.awaited("never sent"));
  }

  @Test
  void tasksNeverAnsweredAreForgottenOnceTheirJobSentNothingForAMinute() {
    awaited.sent("lost", "task");
    now.addAndGet(AwaitedResults.FORGET_AFTER_NANOS + 1);
    for (int i = 0; i <= AwaitedResults.PRUNE_ABOVE_JOBS; i++) {
      awaited.sent("job-" + i, "task");
    }

    assertFalse(awaited.awaited("lost"));
    assertTrue(awaited.awaited("job-0"), "recent jobs stay");
  }
}
