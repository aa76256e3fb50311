package zisk.distributed.coordinator.store;

import org.jdbi.v3.core.Handle;

/** The data-access objects of one open transaction (or one handle), so a transition reads as calls. */
public record Tx(JobDao jobs, TaskDao tasks, ProverDao provers) {

  static Tx on(Handle handle) {
    return new Tx(handle.attach(JobDao.class), handle.attach(TaskDao.class), handle.attach(ProverDao.class));
  }
}
