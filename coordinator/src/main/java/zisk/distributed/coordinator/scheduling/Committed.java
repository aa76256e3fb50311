package zisk.distributed.coordinator.scheduling;

import java.util.List;
import zisk.distributed.coordinator.lifecycle.Effects;
import zisk.distributed.coordinator.session.SentTask;

/**
 * A committed transition: its effects, and the task requests it wrote DISPATCHED, built inside the
 * transaction so that nothing but sending is left after the commit.
 */
public record Committed(Effects effects, List<SentTask> requests) {

  /** A transition that sends no task of its own. */
  public static Committed of(Effects effects) {
    return new Committed(effects, List.of());
  }
}
