package zisk.distributed.coordinator.scheduling;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import zisk.distributed.coordinator.config.CoordinatorConfig;
import zisk.distributed.coordinator.testing.RunningCoordinator;
import zisk.distributed.coordinator.testing.TestDatabase;

/** The chore is wired in: a running coordinator vacuums the provers table as it starts. */
class ProverVacuumTest {

  @Test
  void aCoordinatorVacuumsTheProversTableAsItStarts() {
    try (RunningCoordinator coordinator =
        RunningCoordinator.inProcess(CoordinatorConfig.local(TestDatabase.freshJdbcUrl()))) {
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  coordinator
                          .jdbi()
                          .withHandle(
                              handle ->
                                  handle
                                      .createQuery(
                                          "SELECT vacuum_count FROM pg_stat_user_tables"
                                              + " WHERE relname = 'provers'")
                                      .mapTo(Long.class)
                                      .one())
                      > 0);
    }
  }
}
