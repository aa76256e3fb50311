package zisk.distributed.coordinator.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zisk.distributed.api.v1.JobStatus;
import zisk.distributed.api.v1.JobsListRequest;
import zisk.distributed.api.v1.LaunchProofRequest;
import zisk.distributed.coordinator.config.CoordinatorConfig;
import zisk.distributed.coordinator.testing.RunningCoordinator;

/** The zero-setup default: no URL, an embedded PostgreSQL whose data directory persists. */
class EmbeddedDatabaseTest {

  @TempDir Path dataDir;

  @Test
  void historySurvivesARestartOnTheSameDataDirectory() {
    CoordinatorConfig embedded =
        CoordinatorConfig.local("unused")
            .withDatabase(Optional.empty(), dataDir.resolve("postgres"), Duration.ofSeconds(3));

    String jobId;
    try (RunningCoordinator first = RunningCoordinator.inProcess(embedded)) {
      jobId =
          first
              .stub()
              .launchProof(
                  LaunchProofRequest.newBuilder()
                      .setBlockId("block_1")
                      .setComputeCapacity(1)
                      .setInputPath("/in")
                      .build())
              .getJobId();
    }

    try (RunningCoordinator second = RunningCoordinator.inProcess(embedded)) {
      List<String> ids =
          second
              .stub()
              .jobsList(JobsListRequest.getDefaultInstance())
              .getJobsList()
              .getJobsList()
              .stream()
              .map(JobStatus::getJobId)
              .toList();
      assertEquals(List.of(jobId), ids);
      // Commits must survive a crash of the machine, not only of the coordinator.
      assertEquals(
          "on fsync on",
          second
              .jdbi()
              .withHandle(
                  handle ->
                      handle
                          .createQuery(
                              "SELECT current_setting('synchronous_commit') || ' fsync '"
                                  + " || current_setting('fsync')")
                          .mapTo(String.class)
                          .one()));
    }
  }
}
