package zisk.distributed.coordinator.store;

import java.util.function.Function;
import org.jdbi.v3.core.Jdbi;

/**
 * Runs work against the database: one transaction ({@link #inTransaction}) for a transition, or
 * one autocommit handle ({@link #read}) for a read or a single self-contained statement.
 */
public final class Store {

  private final Jdbi jdbi;

  public Store(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** Runs {@code work} in one transaction; it commits when {@code work} returns. */
  public <T> T inTransaction(Function<Tx, T> work) {
    return jdbi.inTransaction(handle -> work.apply(Tx.on(handle)));
  }

  /** Runs {@code work} on one handle in autocommit mode: each statement is its own transaction. */
  public <T> T read(Function<Tx, T> work) {
    return jdbi.withHandle(handle -> work.apply(Tx.on(handle)));
  }

  public InstanceDao instances() {
    return jdbi.onDemand(InstanceDao.class);
  }

  public ClusterDao cluster() {
    return jdbi.onDemand(ClusterDao.class);
  }

  public Jdbi jdbi() {
    return jdbi;
  }
}
