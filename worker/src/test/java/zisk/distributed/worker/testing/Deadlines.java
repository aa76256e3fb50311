package zisk.distributed.worker.testing;

import java.time.Duration;

/** How long the worker's tests wait for something that should happen. */
public final class Deadlines {

  /** Generous: tests wait on conditions, and only a broken worker takes this long. */
  public static final Duration WAIT = Duration.ofSeconds(10);

  private Deadlines() {}
}
