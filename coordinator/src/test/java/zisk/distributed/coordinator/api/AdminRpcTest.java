package zisk.distributed.coordinator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import zisk.distributed.api.v1.CancelJobRequest;
import zisk.distributed.api.v1.CancelJobResponse;
import zisk.distributed.api.v1.FinalProof;
import zisk.distributed.api.v1.FinalProofList;
import zisk.distributed.api.v1.GetProofRequest;
import zisk.distributed.api.v1.GetProofResponse;
import zisk.distributed.api.v1.HealthCheckRequest;
import zisk.distributed.api.v1.JobStatus;
import zisk.distributed.api.v1.JobStatusRequest;
import zisk.distributed.api.v1.JobStatusResponse;
import zisk.distributed.api.v1.JobsList;
import zisk.distributed.api.v1.JobsListRequest;
import zisk.distributed.api.v1.JobsListResponse;
import zisk.distributed.api.v1.LaunchProofRequest;
import zisk.distributed.api.v1.LaunchProofResponse;
import zisk.distributed.api.v1.ProverInfo;
import zisk.distributed.api.v1.ProversListRequest;
import zisk.distributed.api.v1.StatusInfoRequest;
import zisk.distributed.api.v1.StatusInfoResponse;
import zisk.distributed.api.v1.SystemStatus;
import zisk.distributed.api.v1.SystemStatusRequest;
import zisk.distributed.api.v1.ZiskDistributedApiGrpc.ZiskDistributedApiBlockingStub;
import zisk.distributed.coordinator.config.CoordinatorConfig;
import zisk.distributed.coordinator.testing.RunningCoordinator;
import zisk.distributed.coordinator.testing.TestDatabase;

/** Every admin RPC through a generated stub, against a real coordinator and PostgreSQL. */
class AdminRpcTest {

  private static String jdbcUrl;
  private RunningCoordinator coordinator;
  private ZiskDistributedApiBlockingStub api;

  @BeforeAll
  static void createDatabase() {
    jdbcUrl = TestDatabase.freshJdbcUrl();
  }

  @BeforeEach
  void startCoordinator() {
    CoordinatorConfig config = CoordinatorConfig.local(jdbcUrl);
    coordinator = RunningCoordinator.inProcess(config);
    coordinator
        .jdbi()
        .useHandle(h -> h.execute("TRUNCATE job_events, tasks, jobs, provers CASCADE"));
    api = coordinator.stub();
  }

  @AfterEach
  void stopCoordinator() {
    coordinator.close();
  }

  // ---- LaunchProof ----

  @Test
  void launchProofQueuesAJobAndAnswersItsId() {
    LaunchProofResponse response = api.launchProof(launch("block_456", 4, "/path/to/input"));

    assertTrue(response.hasJobId(), response.toString());
    JobStatus job =
        api.jobStatus(JobStatusRequest.newBuilder().setJobId(response.getJobId()).build()).getJob();
    assertEquals("QUEUED", job.getState());
    assertEquals("block_456", job.getBlockId());
    assertEquals(4, job.getComputeCapacity());
    assertEquals("/path/to/input", job.getInputPath());
    assertEquals(3, job.getMaxAttempts());
    assertTrue(job.hasCreatedAt());
    assertEquals(0, job.getStartTime(), "a queued job has not started");
    assertEquals(List.of("LAUNCHED"), events(response.getJobId()));
  }

  @Test
  void launchProofRejectsBadInputClearlyAndCreatesNothing() {
    assertInvalid(launch("", 4, "/in"), "block_id is required");
    assertInvalid(launch("   ", 4, "/in"), "block_id is required");
    assertInvalid(
        launch("b".repeat(257), 4, "/in"), "block_id is 257 characters long; the limit is 256");
    assertInvalid(launch("block\n1", 4, "/in"), "block_id contains control characters");
    assertInvalid(launch("block", 0, "/in"), "compute_capacity must be greater than 0");
    assertInvalid(
        launch("block", 10_001, "/in"),
        "compute_capacity 10001 exceeds this coordinator's maximum of 10000");
    assertInvalid(launch("block", -1294967296, "/in"), "compute_capacity 3000000000 exceeds");
    assertInvalid(launch("block", 4, ""), "input_path is required");
    assertInvalid(launch("block", 4, "/" + "p".repeat(4096)), "input_path is 4097 characters long");

    assertEquals(0, count("SELECT count(*) FROM jobs"));
  }

  @Test
  void launchProofWithTheSameClientRequestIdReturnsTheSameJob() {
    LaunchProofRequest request =
        launch("block_1", 2, "/in").toBuilder().setClientRequestId("req-42").build();

    String first = api.launchProof(request).getJobId();
    String second = api.launchProof(request).getJobId();

    assertEquals(first, second);
    assertEquals(1, count("SELECT count(*) FROM jobs"));
  }

  @Test
  void clientRequestIdReusedForADifferentRequestIsRefused() {
    api.launchProof(launch("block_1", 2, "/in").toBuilder().setClientRequestId("req-42").build());

    LaunchProofResponse response =
        api.launchProof(
            launch("block_2", 2, "/in").toBuilder().setClientRequestId("req-42").build());

    assertEquals("FAILED_PRECONDITION", response.getError().getCode());
    assertTrue(
        response.getError().getMessage().contains("req-42"), response.getError().getMessage());
    assertEquals(1, count("SELECT count(*) FROM jobs"));
  }

  // ---- JobStatus ----

  @Test
  void jobStatusAnswersJobNotFoundForUnknownIdsAndRefusesMalformedOnes() {
    String unknown = UUID.randomUUID().toString();
    JobStatusResponse notFound =
        api.jobStatus(JobStatusRequest.newBuilder().setJobId(unknown).build());
    assertEquals("JOB_NOT_FOUND", notFound.getError().getCode());
    assertTrue(notFound.getError().getMessage().contains(unknown));
    for (String id : List.of("job_123", "not-a-uuid-but-36-characters-long!!!")) {
      JobStatusResponse response =
          api.jobStatus(JobStatusRequest.newBuilder().setJobId(id).build());
      assertEquals("INVALID_ARGUMENT", response.getError().getCode(), id);
      assertTrue(response.getError().getMessage().contains("'" + id + "'"));
    }
    assertEquals(
        "INVALID_ARGUMENT",
        api.jobStatus(JobStatusRequest.getDefaultInstance()).getError().getCode());
  }

  @Test
  void queuedJobSaysWhyItWaits() {
    insertProver("p1", "IDLE", 4);
    String jobId = api.launchProof(launch("block", 8, "/in")).getJobId();

    JobStatus job = api.jobStatus(JobStatusRequest.newBuilder().setJobId(jobId).build()).getJob();

    assertEquals("QUEUED", job.getState());
    assertEquals("larger than the cluster: 4 units connected", job.getWaitingReason());
  }

  @Test
  void runningJobShowsPhaseProversAndTimings() {
    insertProver("p1", "IDLE", 2);
    insertProver("p2", "IDLE", 2);
    String jobId = runningJob("p2", "p1");

    JobStatus job = api.jobStatus(JobStatusRequest.newBuilder().setJobId(jobId).build()).getJob();

    assertEquals("RUNNING", job.getState());
    assertEquals("PARTIAL_CONTRIBUTION", job.getPhase());
    assertEquals(List.of("p2", "p1"), job.getAssignedProversList(), "provers by rank");
    assertTrue(job.getStartTime() > 0);
    assertEquals(1, job.getAttempt());
    assertEquals("", job.getWaitingReason());
  }

  // ---- JobsList ----

  @Test
  void jobsListShowsActiveJobsOrTheWholeHistoryNewestFirst() {
    String first = api.launchProof(launch("b1", 1, "/in")).getJobId();
    String second = api.launchProof(launch("b2", 1, "/in")).getJobId();
    String third = api.launchProof(launch("b3", 1, "/in")).getJobId();
    api.cancelJob(CancelJobRequest.newBuilder().setJobId(second).build());

    JobsList active =
        api.jobsList(JobsListRequest.newBuilder().setActiveOnly(true).build()).getJobsList();
    JobsList all =
        api.jobsList(JobsListRequest.newBuilder().setActiveOnly(false).build()).getJobsList();

    assertEquals(List.of(third, first), ids(active));
    assertEquals(List.of(third, second, first), ids(all));
    assertEquals("", all.getNextPageToken());
  }

  @Test
  void jobsListPagesThroughTheHistory() {
    List<String> launched = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      launched.add(0, api.launchProof(launch("b" + i, 1, "/in")).getJobId());
    }

    List<String> seen = new ArrayList<>();
    String token = "";
    int pages = 0;
    do {
      JobsList page =
          api.jobsList(JobsListRequest.newBuilder().setLimit(3).setPageToken(token).build())
              .getJobsList();
      assertTrue(page.getJobsCount() <= 3);
      seen.addAll(ids(page));
      token = page.getNextPageToken();
      pages++;
    } while (!token.isEmpty());

    assertEquals(launched, seen);
    assertEquals(3, pages);
  }

  @Test
  void jobsListRejectsAForgedPageToken() {
    JobsListResponse response =
        api.jobsList(JobsListRequest.newBuilder().setPageToken("garbage!").build());

    assertEquals("INVALID_ARGUMENT", response.getError().getCode());
  }

  // ---- ProversList / SystemStatus / StatusInfo / HealthCheck ----

  @Test
  void proversListShowsAllOrOnlyIdleProvers() {
    insertProver("idle-1", "IDLE", 4);
    insertProver("busy-1", "IDLE", 2);
    insertProver("gone-1", "DISCONNECTED", 8);
    String jobId = runningJob("busy-1");

    List<ProverInfo> all =
        api.proversList(ProversListRequest.getDefaultInstance()).getProversList().getProversList();
    List<ProverInfo> idle =
        api.proversList(ProversListRequest.newBuilder().setAvailableOnly(true).build())
            .getProversList()
            .getProversList();

    assertEquals(
        List.of("busy-1", "gone-1", "idle-1"), all.stream().map(ProverInfo::getProverId).toList());
    assertEquals(List.of("idle-1"), idle.stream().map(ProverInfo::getProverId).toList());
    assertEquals(4, idle.get(0).getComputeCapacity().getComputeUnits());
    assertEquals(
        coordinator.server().instanceId().toString(), idle.get(0).getCoordinatorInstanceId());
    assertEquals(jobId, all.get(0).getCurrentJobId());
  }

  @Test
  void systemStatusCountsProversCapacityAndJobs() {
    insertProver("idle-1", "IDLE", 4);
    insertProver("busy-1", "IDLE", 2);
    insertProver("gone-1", "DISCONNECTED", 8);
    runningJob("busy-1");
    api.launchProof(launch("b", 100, "/in")); // more than the idle capacity: stays queued

    SystemStatus status = api.systemStatus(SystemStatusRequest.getDefaultInstance()).getStatus();

    assertEquals(2, status.getTotalProvers());
    assertEquals(6, status.getComputeCapacity());
    assertEquals(1, status.getIdleProvers());
    assertEquals(1, status.getBusyProvers());
    assertEquals(2, status.getActiveJobs());
    assertEquals(1, status.getQueuedJobs());
    assertTrue(status.getLiveCoordinators() >= 1);
  }

  @Test
  void statusInfoDescribesThisCoordinator() {
    StatusInfoResponse info = api.statusInfo(StatusInfoRequest.getDefaultInstance());

    assertEquals("zisk-coordinator", info.getServiceName());
    assertFalse(info.getVersion().isEmpty());
    assertEquals(coordinator.server().instanceId().toString(), info.getInstanceId());
    assertTrue(info.getStartTime().getSeconds() > 0);
    assertEquals("test", info.getEnvironment());
  }

  @Test
  void healthCheckIsServingWithADatabase() {
    assertEquals("SERVING", api.healthCheck(HealthCheckRequest.getDefaultInstance()).getStatus());
  }

  // ---- CancelJob ----

  @Test
  void cancelJobCancelsAQueuedJobOnce() {
    String jobId = api.launchProof(launch("b", 1, "/in")).getJobId();

    CancelJobResponse cancelled =
        api.cancelJob(
            CancelJobRequest.newBuilder().setJobId(jobId).setReason("wrong block").build());
    CancelJobResponse again = api.cancelJob(CancelJobRequest.newBuilder().setJobId(jobId).build());

    assertEquals("CANCELLED", cancelled.getJob().getState());
    assertEquals("wrong block", cancelled.getJob().getError().getMessage());
    assertTrue(cancelled.getJob().hasFinishedAt());
    assertEquals("FAILED_PRECONDITION", again.getError().getCode());
    assertTrue(
        again.getError().getMessage().contains("already CANCELLED"), again.getError().getMessage());
    assertEquals(List.of("LAUNCHED", "CANCELLED"), events(jobId));
  }

  @Test
  void cancelJobFreesTheProversOfARunningJob() {
    insertProver("p1", "IDLE", 2);
    insertProver("p2", "IDLE", 2);
    String jobId = runningJob("p1", "p2");

    api.cancelJob(CancelJobRequest.newBuilder().setJobId(jobId).build());

    assertEquals(2, count("SELECT count(*) FROM provers WHERE state = 'IDLE'"));
    assertEquals(2, count("SELECT count(*) FROM tasks WHERE state = 'CANCELLED'"));
  }

  @Test
  void cancelJobAnswersJobNotFoundForUnknownIds() {
    assertEquals(
        "JOB_NOT_FOUND",
        api.cancelJob(CancelJobRequest.newBuilder().setJobId(UUID.randomUUID().toString()).build())
            .getError()
            .getCode());
  }

  // ---- GetProof ----

  @Test
  void getProofAnswersTheFinalProofOfACompletedJobOnly() {
    String jobId = api.launchProof(launch("b", 1, "/in")).getJobId();
    GetProofResponse notReady = api.getProof(GetProofRequest.newBuilder().setJobId(jobId).build());
    FinalProofList proof =
        FinalProofList.newBuilder()
            .addFinalProofs(FinalProof.newBuilder().addValues(7).addValues(11))
            .build();
    coordinator
        .jdbi()
        .useHandle(
            h ->
                h.createUpdate(
                        """
            UPDATE jobs SET state = 'COMPLETED', phase = 'AGGREGATE', attempt = 1, started_at = now(),
                            finished_at = now(), final_proof = :proof WHERE job_id = :id::uuid""")
                    .bind("proof", proof.toByteArray())
                    .bind("id", jobId)
                    .execute());

    GetProofResponse ready = api.getProof(GetProofRequest.newBuilder().setJobId(jobId).build());

    assertEquals("PROOF_NOT_READY", notReady.getError().getCode());
    assertEquals(proof, ready.getProof().getFinalProof());
    assertEquals("b", ready.getProof().getBlockId());
    assertEquals(
        "INVALID_ARGUMENT",
        api.getProof(GetProofRequest.newBuilder().setJobId("job_1").build()).getError().getCode());
  }

  // ---- helpers ----

  private static LaunchProofRequest launch(String blockId, int capacity, String inputPath) {
    return LaunchProofRequest.newBuilder()
        .setBlockId(blockId)
        .setComputeCapacity(capacity)
        .setInputPath(inputPath)
        .build();
  }

  private void assertInvalid(LaunchProofRequest request, String expectedMessageStart) {
    LaunchProofResponse response = api.launchProof(request);
    assertEquals("INVALID_ARGUMENT", response.getError().getCode(), response.toString());
    assertTrue(
        response.getError().getMessage().startsWith(expectedMessageStart),
        "message '"
            + response.getError().getMessage()
            + "' should start with '"
            + expectedMessageStart
            + "'");
  }

  private void insertProver(String proverId, String state, int units) {
    coordinator
        .jdbi()
        .useHandle(
            h ->
                h.createUpdate(
                        """
            INSERT INTO provers (prover_id, state, compute_units, instance_id)
            VALUES (:id, :state, :units, CASE WHEN :state = 'DISCONNECTED' THEN NULL ELSE :instance END)""")
                    .bind("id", proverId)
                    .bind("state", state)
                    .bind("units", units)
                    .bind("instance", coordinator.server().instanceId())
                    .execute());
  }

  /**
   * A job RUNNING in its first phase on these provers, written in one transaction (as admission
   * would), so admission never sees it queued.
   */
  private String runningJob(String... provers) {
    return coordinator
        .jdbi()
        .inTransaction(
            h -> {
              String jobId =
                  h.createQuery(
                          """
              INSERT INTO jobs (block_id, input_path, compute_capacity, state, phase, attempt, started_at)
              VALUES ('running', '/in', :capacity, 'RUNNING', 'PARTIAL_CONTRIBUTION', 1, now()) RETURNING job_id::text""")
                      .bind("capacity", 2 * provers.length)
                      .mapTo(String.class)
                      .one();
              for (int rank = 0; rank < provers.length; rank++) {
                h.createUpdate(
                        """
                INSERT INTO tasks (job_id, attempt, task_type, rank_id, prover_id, compute_units)
                VALUES (:id::uuid, 1, 'PARTIAL_CONTRIBUTION', :rank, :prover, 2)""")
                    .bind("id", jobId)
                    .bind("rank", rank)
                    .bind("prover", provers[rank])
                    .execute();
                h.createUpdate(
                        "UPDATE provers SET state = 'BUSY', current_job_id = :id::uuid WHERE prover_id = :prover")
                    .bind("id", jobId)
                    .bind("prover", provers[rank])
                    .execute();
              }
              return jobId;
            });
  }

  private long count(String sql) {
    return coordinator.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
  }

  private List<String> events(String jobId) {
    return coordinator
        .jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT event FROM job_events WHERE job_id = :id::uuid ORDER BY event_id")
                    .bind("id", jobId)
                    .mapTo(String.class)
                    .list());
  }

  private static List<String> ids(JobsList list) {
    return list.getJobsList().stream().map(JobStatus::getJobId).toList();
  }
}
