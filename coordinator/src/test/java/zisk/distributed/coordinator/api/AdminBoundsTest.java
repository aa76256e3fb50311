package zisk.distributed.coordinator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import zisk.distributed.api.v1.ErrorResponse;
import zisk.distributed.api.v1.JobStatusRequest;
import zisk.distributed.api.v1.LaunchProofRequest;
import zisk.distributed.api.v1.LaunchProofResponse;
import zisk.distributed.api.v1.ProverInfo;
import zisk.distributed.api.v1.ProversList;
import zisk.distributed.api.v1.ProversListRequest;
import zisk.distributed.api.v1.ProversListResponse;
import zisk.distributed.coordinator.config.CoordinatorConfig;
import zisk.distributed.coordinator.testing.RunningCoordinator;
import zisk.distributed.coordinator.testing.TestDatabase;

/** Admin answers are bounded: ids are not echoed whole, lists page, the queue has a ceiling. */
class AdminBoundsTest {

  private static String jdbcUrl;
  private RunningCoordinator coordinator;

  @BeforeAll
  static void createDatabase() {
    jdbcUrl = TestDatabase.freshJdbcUrl();
  }

  @AfterEach
  void stopCoordinator() {
    coordinator.close();
  }

  private void start(CoordinatorConfig.Limits limits) {
    coordinator = RunningCoordinator.inProcess(CoordinatorConfig.local(jdbcUrl).withLimits(limits));
    coordinator
        .jdbi()
        .useHandle(h -> h.execute("TRUNCATE job_events, tasks, jobs, provers CASCADE"));
  }

  @Test
  void aHugeJobIdIsRefusedAndQuotedShortened() {
    start(CoordinatorConfig.Limits.DEFAULT);
    String hugeId = "0".repeat(3_000_000);

    ErrorResponse error =
        coordinator
            .stub()
            .jobStatus(JobStatusRequest.newBuilder().setJobId(hugeId).build())
            .getError();

    assertEquals("INVALID_ARGUMENT", error.getCode());
    assertTrue(error.getMessage().length() < 200, error.getMessage());
    assertTrue(error.getMessage().contains("…(3000000 chars)"), error.getMessage());
  }

  @Test
  void proversListPagesLikeJobsList() {
    start(CoordinatorConfig.Limits.DEFAULT);
    coordinator
        .jdbi()
        .useHandle(
            h ->
                h.execute(
                    """
            INSERT INTO provers (prover_id, state, compute_units, disconnected_at)
            SELECT 'p' || n, 'DISCONNECTED', 1, now() FROM generate_series(1, 7) n
            """));

    List<String> seen = new ArrayList<>();
    List<Integer> pageSizes = new ArrayList<>();
    String token = "";
    do {
      ProversList page =
          coordinator
              .stub()
              .proversList(ProversListRequest.newBuilder().setLimit(3).setPageToken(token).build())
              .getProversList();
      page.getProversList().stream().map(ProverInfo::getProverId).forEach(seen::add);
      pageSizes.add(page.getProversCount());
      token = page.getNextPageToken();
    } while (!token.isEmpty());

    assertEquals(List.of("p1", "p2", "p3", "p4", "p5", "p6", "p7"), seen);
    assertEquals(List.of(3, 3, 1), pageSizes);
    ProversListResponse forged =
        coordinator
            .stub()
            .proversList(ProversListRequest.newBuilder().setPageToken("x".repeat(100_000)).build());
    assertEquals("INVALID_ARGUMENT", forged.getError().getCode());
    assertTrue(forged.getError().getMessage().length() < 100);
  }

  @Test
  void proversListAnswersAtMostTheDefaultPageAndTheCap() {
    start(CoordinatorConfig.Limits.DEFAULT);
    coordinator
        .jdbi()
        .useHandle(
            h ->
                h.execute(
                    """
            INSERT INTO provers (prover_id, state, compute_units, disconnected_at)
            SELECT 'p' || lpad(n::text, 4, '0'), 'DISCONNECTED', 1, now()
            FROM generate_series(1, 600) n
            """));

    ProversList byDefault =
        coordinator.stub().proversList(ProversListRequest.getDefaultInstance()).getProversList();
    ProversList capped =
        coordinator
            .stub()
            .proversList(ProversListRequest.newBuilder().setLimit(-1).build())
            .getProversList();

    assertEquals(AdminApi.DEFAULT_PAGE_SIZE, byDefault.getProversCount());
    assertEquals(AdminApi.MAX_PAGE_SIZE, capped.getProversCount());
    assertTrue(!capped.getNextPageToken().isEmpty());
  }

  @Test
  void launchProofBeyondMaxQueuedAnswersResourceExhausted() {
    start(CoordinatorConfig.Limits.DEFAULT.withMaxQueuedJobs(2));

    String first = coordinator.stub().launchProof(launch("b1")).getJobId();
    String second = coordinator.stub().launchProof(launch("b2")).getJobId();
    ErrorResponse third = coordinator.stub().launchProof(launch("b3")).getError();

    assertTrue(!first.isEmpty() && !second.isEmpty());
    assertEquals("RESOURCE_EXHAUSTED", third.getCode());
    assertTrue(third.getMessage().contains("jobs.max_queued"), third.getMessage());
    int jobs =
        coordinator
            .jdbi()
            .withHandle(h -> h.createQuery("SELECT count(*) FROM jobs").mapTo(Integer.class).one());
    assertEquals(2, jobs);
  }

  @Test
  void aRetriedLaunchFindsItsJobEvenWhenTheQueueIsFull() {
    start(CoordinatorConfig.Limits.DEFAULT.withMaxQueuedJobs(1));
    LaunchProofRequest request = launch("b1").toBuilder().setClientRequestId("retry-me").build();
    String first = coordinator.stub().launchProof(request).getJobId();

    LaunchProofResponse retried = coordinator.stub().launchProof(request);

    assertEquals(first, retried.getJobId(), retried.toString());
  }

  private static LaunchProofRequest launch(String blockId) {
    return LaunchProofRequest.newBuilder()
        .setBlockId(blockId)
        .setComputeCapacity(1)
        .setInputPath("/in")
        .build();
  }
}
