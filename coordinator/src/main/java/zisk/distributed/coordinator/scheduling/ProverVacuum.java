package zisk.distributed.coordinator.scheduling;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.coordinator.store.Store;

/**
 * Vacuums {@code provers} every few seconds (see {@link
 * zisk.distributed.coordinator.store.VacuumDao}). Autovacuum would too, but only where it is on,
 * and at most once a minute by default, while a busy cluster rewrites the table's rows about two
 * thousand times a second. On a table of a few rows one VACUUM costs about 2 ms. Every coordinator
 * runs it; one that finds another VACUUM running skips its turn.
 */
public final class ProverVacuum {

  private static final Logger log = LoggerFactory.getLogger(ProverVacuum.class);

  /** How often it runs. */
  public static final Duration PERIOD = Duration.ofSeconds(5);

  private final Store store;
  private boolean refusalLogged;

  public ProverVacuum(Store store) {
    this.store = store;
  }

  /** One VACUUM. Never throws: a failed one (the database down) is retried next period. */
  public void run() {
    try {
      store.read(tx -> tx.vacuum().provers()).ifPresent(this::refused);
    } catch (RuntimeException e) {
      log.debug("Could not vacuum provers: {}", e.getMessage());
    }
  }

  private void refused(String warning) {
    if (!refusalLogged) {
      refusalLogged = true;
      log.warn(
          "PostgreSQL did not vacuum the provers table ({}): run the coordinators as the role that"
              + " owns it (from PostgreSQL 17, GRANT MAINTAIN ON provers also does), or tune"
              + " autovacuum for it (README \"The database\"). Logged once.",
          warning);
    }
  }
}
