package zisk.distributed.common.concurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ThreadFactory;
import org.junit.jupiter.api.Test;

class DaemonThreadsTest {

  @Test
  void firstThreadHasTheNameAndLaterOnesANumber() {
    ThreadFactory factory = DaemonThreads.named("coordinator-housekeeping");

    Thread first = factory.newThread(() -> {});
    Thread second = factory.newThread(() -> {});
    Thread third = factory.newThread(() -> {});

    assertEquals("coordinator-housekeeping", first.getName());
    assertEquals("coordinator-housekeeping-2", second.getName());
    assertEquals("coordinator-housekeeping-3", third.getName());
  }

  @Test
  void threadsAreDaemonsRunningTheirTask() throws Exception {
    boolean[] ran = new boolean[1];

    Thread thread = DaemonThreads.named("probe").newThread(() -> ran[0] = true);
    thread.start();
    thread.join(5_000);

    assertTrue(thread.isDaemon());
    assertTrue(ran[0]);
  }

  @Test
  void eachFactoryCountsItsOwnThreads() {
    DaemonThreads.named("a").newThread(() -> {});

    assertEquals("b", DaemonThreads.named("b").newThread(() -> {}).getName());
    assertEquals("a", DaemonThreads.named("a").newThread(() -> {}).getName());
  }
}
