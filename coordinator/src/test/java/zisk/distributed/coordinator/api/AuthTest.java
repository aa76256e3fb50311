package zisk.distributed.coordinator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import zisk.distributed.api.v1.CancelJobRequest;
import zisk.distributed.api.v1.ComputeCapacity;
import zisk.distributed.api.v1.GetInputRequest;
import zisk.distributed.api.v1.GetProofRequest;
import zisk.distributed.api.v1.HealthCheckRequest;
import zisk.distributed.api.v1.JobStatusRequest;
import zisk.distributed.api.v1.JobsListRequest;
import zisk.distributed.api.v1.LaunchProofRequest;
import zisk.distributed.api.v1.ProverMessage;
import zisk.distributed.api.v1.ProverReconnectRequest;
import zisk.distributed.api.v1.ProverRegisterRequest;
import zisk.distributed.api.v1.ZiskDistributedApiGrpc;
import zisk.distributed.api.v1.ZiskDistributedApiGrpc.ZiskDistributedApiBlockingStub;
import zisk.distributed.coordinator.CoordinatorServer;
import zisk.distributed.coordinator.config.AuthConfig;
import zisk.distributed.coordinator.config.AuthConfig.Role;
import zisk.distributed.coordinator.config.CoordinatorConfig;
import zisk.distributed.coordinator.testing.BearerTokens;
import zisk.distributed.coordinator.testing.LogCapture;
import zisk.distributed.coordinator.testing.RawProver;
import zisk.distributed.coordinator.testing.RunningCoordinator;
import zisk.distributed.coordinator.testing.TestDatabase;

/**
 * A coordinator with tokens configured, called in-process with each role's token, a wrong token and
 * none: who may call what, and what a refusal reveals.
 */
class AuthTest {

  private static final String PROVER = "prover-secret";
  private static final String GPU_PROVER = "gpu-prover-secret";
  private static final String CLIENT_A = "client-a-secret";
  private static final String CLIENT_B = "client-b-secret";
  private static final String READER = "reader-secret";
  private static final String ADMIN = "admin-secret";

  private static RunningCoordinator coordinator;
  private static List<String> startupLog;

  @BeforeAll
  static void startCoordinator() {
    AuthConfig auth =
        new AuthConfig(
            List.of(
                BearerTokens.token("fleet", Role.PROVER, PROVER),
                new AuthConfig.Token(
                    "gpu-fleet",
                    Role.PROVER,
                    BearerTokens.sha256Hex(GPU_PROVER),
                    Optional.of("gpu-*")),
                BearerTokens.token("ci-a", Role.CLIENT, CLIENT_A),
                BearerTokens.token("ci-b", Role.CLIENT, CLIENT_B),
                BearerTokens.token("dashboard", Role.READER, READER),
                BearerTokens.token("ops", Role.ADMIN, ADMIN)));
    try (LogCapture log = LogCapture.ofPackage(CoordinatorServer.class)) {
      coordinator =
          RunningCoordinator.inProcess(
              CoordinatorConfig.local(TestDatabase.freshJdbcUrl()).withAuth(auth));
      startupLog = log.lines();
    }
  }

  @AfterAll
  static void stopCoordinator() {
    coordinator.close();
  }

  @BeforeEach
  void emptyTables() {
    coordinator
        .jdbi()
        .useHandle(h -> h.execute("TRUNCATE job_events, tasks, jobs, provers CASCADE"));
  }

  @Test
  void startupLogSaysHowManyTokens() {
    assertTrue(startupLog.contains("INFO authentication: 6 tokens"), startupLog.toString());
  }

  @Test
  void proverTokenCannotLaunchOrCancel() {
    String job = launch(api(ADMIN));

    assertStatus(
        Status.Code.PERMISSION_DENIED, "may not call LaunchProof", () -> launch(api(PROVER)));
    assertStatus(
        Status.Code.PERMISSION_DENIED,
        "may not call CancelJob",
        () -> api(PROVER).cancelJob(CancelJobRequest.newBuilder().setJobId(job).build()));
    assertEquals("QUEUED", state(job));
  }

  @Test
  void clientsUploadInputsAndProversDownloadThemButNotTheOtherWayRound() {
    String unknown = "0".repeat(64);
    GetInputRequest get = GetInputRequest.newBuilder().setInputId(unknown).build();

    assertEquals(
        "INPUT_NOT_FOUND", api(PROVER).getInput(get).next().getError().getCode(), "prover may");
    assertEquals("INPUT_NOT_FOUND", api(ADMIN).getInput(get).next().getError().getCode());
    assertStatus(
        Status.Code.PERMISSION_DENIED,
        "may not call GetInput",
        () -> api(CLIENT_A).getInput(get).next());
    assertStatus(
        Status.Code.PERMISSION_DENIED,
        "may not call GetInput",
        () -> api(READER).getInput(get).next());
    assertEquals("let in", uploadEmpty(CLIENT_A));
    assertEquals("let in", uploadEmpty(ADMIN));
    assertEquals("PERMISSION_DENIED", uploadEmpty(PROVER));
    assertEquals("PERMISSION_DENIED", uploadEmpty(READER));
  }

  /** An UploadInput of nothing: "let in" when it was (it answers "empty"), else its status. */
  private static String uploadEmpty(String token) {
    java.util.concurrent.CompletableFuture<String> end =
        new java.util.concurrent.CompletableFuture<>();
    io.grpc.stub.StreamObserver<zisk.distributed.api.v1.UploadInputRequest> requests =
        ZiskDistributedApiGrpc.newStub(channel(token))
            .uploadInput(
                new io.grpc.stub.StreamObserver<>() {
                  @Override
                  public void onNext(zisk.distributed.api.v1.UploadInputResponse value) {
                    end.complete(value.hasError() ? "let in" : value.toString());
                  }

                  @Override
                  public void onError(Throwable t) {
                    end.complete(Status.fromThrowable(t).getCode().name());
                  }

                  @Override
                  public void onCompleted() {}
                });
    requests.onCompleted();
    return end.orTimeout(15, java.util.concurrent.TimeUnit.SECONDS).join();
  }

  @Test
  void clientTokenCannotOpenAProverStream() {
    try (RawProver prover = RawProver.open(channel(CLIENT_A), true)) {
      prover.send(register("sneaky-1"));

      Status end = prover.awaitEnd();

      assertEquals(Status.Code.PERMISSION_DENIED, end.getCode(), end.toString());
      assertTrue(end.getDescription().contains("may not call ProverStream"), end.toString());
    }
    assertEquals(0, rows("SELECT count(*) FROM provers"));
  }

  @Test
  void missingMalformedOrUnknownTokensAreUnauthenticated() {
    ZiskDistributedApiBlockingStub none = stub(coordinator.channel());
    ZiskDistributedApiBlockingStub unknown = api("not-a-known-secret");
    ZiskDistributedApiBlockingStub basic =
        stub(BearerTokens.withAuthorization(coordinator.channel(), "Basic " + ADMIN));

    assertStatus(Status.Code.UNAUTHENTICATED, "requires a token", () -> launch(none));
    assertStatus(Status.Code.UNAUTHENTICATED, "not valid", () -> launch(unknown));
    assertStatus(Status.Code.UNAUTHENTICATED, "Bearer <secret>", () -> launch(basic));
    assertStatus(
        Status.Code.UNAUTHENTICATED,
        "requires a token",
        () -> none.jobsList(JobsListRequest.getDefaultInstance()));
    try (RawProver prover = RawProver.open(coordinator.channel(), true)) {
      prover.send(register("anonymous-1"));
      assertEquals(Status.Code.UNAUTHENTICATED, prover.awaitEnd().getCode());
    }
    assertEquals(0, rows("SELECT count(*) FROM jobs"));
    assertEquals(0, rows("SELECT count(*) FROM provers"));
  }

  @Test
  void healthAndReflectionStayOpenWithoutAToken() throws Exception {
    assertEquals(
        "SERVING",
        stub(coordinator.channel())
            .healthCheck(HealthCheckRequest.getDefaultInstance())
            .getStatus());
    assertEquals(
        io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING,
        HealthGrpc.newBlockingStub(coordinator.channel())
            .check(io.grpc.health.v1.HealthCheckRequest.getDefaultInstance())
            .getStatus());
    CompletableFuture<ServerReflectionResponse> listed = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> reflection =
        ServerReflectionGrpc.newStub(coordinator.channel())
            .serverReflectionInfo(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ServerReflectionResponse value) {
                    listed.complete(value);
                  }

                  @Override
                  public void onError(Throwable t) {
                    listed.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {}
                });
    reflection.onNext(ServerReflectionRequest.newBuilder().setListServices("*").build());
    reflection.onCompleted();
    assertTrue(
        listed.get(20, TimeUnit.SECONDS).getListServicesResponse().getServiceList().stream()
            .anyMatch(s -> s.getName().equals(ZiskDistributedApiGrpc.SERVICE_NAME)));
  }

  @Test
  void readerReadsButCannotLaunchOrCancel() {
    String job = launch(api(CLIENT_A));

    assertEquals(
        1, api(READER).jobsList(JobsListRequest.getDefaultInstance()).getJobsList().getJobsCount());
    assertEquals("QUEUED", state(api(READER), job));
    assertStatus(Status.Code.PERMISSION_DENIED, "'dashboard' (reader)", () -> launch(api(READER)));
    assertStatus(
        Status.Code.PERMISSION_DENIED,
        "may not call CancelJob",
        () -> api(READER).cancelJob(CancelJobRequest.newBuilder().setJobId(job).build()));
  }

  @Test
  void clientCannotCancelAnotherClientsJobNorTellWhetherItExists() {
    String theirs = launch(api(CLIENT_A));
    String nobodys = UUID.randomUUID().toString();

    StatusRuntimeException onTheirs =
        assertThrows(StatusRuntimeException.class, () -> cancel(api(CLIENT_B), theirs));
    StatusRuntimeException onNobodys =
        assertThrows(StatusRuntimeException.class, () -> cancel(api(CLIENT_B), nobodys));
    StatusRuntimeException proofOfTheirs =
        assertThrows(
            StatusRuntimeException.class,
            () -> api(CLIENT_B).getProof(GetProofRequest.newBuilder().setJobId(theirs).build()));
    StatusRuntimeException proofOfNobodys =
        assertThrows(
            StatusRuntimeException.class,
            () -> api(CLIENT_B).getProof(GetProofRequest.newBuilder().setJobId(nobodys).build()));

    // The same code and the same words, but for the id the caller gave itself.
    assertEquals(Status.Code.PERMISSION_DENIED, onTheirs.getStatus().getCode());
    assertEquals(
        onTheirs.getStatus().getDescription().replace(theirs, "ID"),
        onNobodys.getStatus().getDescription().replace(nobodys, "ID"));
    assertEquals(
        proofOfTheirs.getStatus().getDescription().replace(theirs, "ID"),
        proofOfNobodys.getStatus().getDescription().replace(nobodys, "ID"));
    assertTrue(
        onTheirs.getStatus().getDescription().contains("only the jobs it launched"),
        onTheirs.getStatus().toString());
    assertEquals("QUEUED", state(theirs));

    // Its launcher gets the usual answers.
    assertEquals(
        "PROOF_NOT_READY",
        api(CLIENT_A)
            .getProof(GetProofRequest.newBuilder().setJobId(theirs).build())
            .getError()
            .getCode());
    assertEquals("CANCELLED", cancel(api(CLIENT_A), theirs));
  }

  @Test
  void clientRequestIdsOfAnotherTokenNeverAnswerItsJob() {
    LaunchProofRequest request =
        LaunchProofRequest.newBuilder()
            .setBlockId("block")
            .setComputeCapacity(4)
            .setInputPath("/input")
            .setClientRequestId("retry-key")
            .build();
    String theirs = api(CLIENT_A).launchProof(request).getJobId();

    var again = api(CLIENT_A).launchProof(request);
    var other = api(CLIENT_B).launchProof(request);

    assertEquals(theirs, again.getJobId());
    assertEquals("FAILED_PRECONDITION", other.getError().getCode());
    assertFalse(other.getError().getMessage().contains(theirs), other.toString());
    assertEquals(1, rows("SELECT count(*) FROM jobs"));
  }

  @Test
  void adminMayCancelAnyJob() {
    String job = launch(api(CLIENT_A));

    assertEquals("CANCELLED", cancel(api(ADMIN), job));
    assertEquals(
        "JOB_NOT_FOUND",
        api(ADMIN)
            .cancelJob(CancelJobRequest.newBuilder().setJobId(UUID.randomUUID().toString()).build())
            .getError()
            .getCode());
  }

  @Test
  void jobEventsRecordTheTokensThatLaunchedAndCancelled() {
    String job = launch(api(CLIENT_A));
    cancel(api(ADMIN), job);

    assertEquals(
        "ci-a",
        coordinator
            .jdbi()
            .withHandle(
                h ->
                    h.createQuery("SELECT launched_by FROM jobs WHERE job_id = CAST(:id AS uuid)")
                        .bind("id", job)
                        .mapTo(String.class)
                        .one()));
    assertEquals(
        List.of("LAUNCHED ci-a", "CANCELLED ops"),
        coordinator
            .jdbi()
            .withHandle(
                h ->
                    h.createQuery(
                            "SELECT event || ' ' || token_name FROM job_timeline"
                                + " WHERE job_id = CAST(:id AS uuid) ORDER BY event_id")
                        .bind("id", job)
                        .mapTo(String.class)
                        .list()));
  }

  @Test
  void proverTokenBoundToAPatternRegistersOnlyMatchingIds() {
    try (RawProver cpu = RawProver.open(channel(GPU_PROVER), true)) {
      cpu.send(register("cpu-1"));

      Status end = cpu.awaitEnd();

      assertEquals(Status.Code.PERMISSION_DENIED, end.getCode(), end.toString());
      assertTrue(end.getDescription().contains("'gpu-*'"), end.toString());
      assertFalse(end.getDescription().contains("cpu-1"), end.toString());
    }
    try (RawProver cpu = RawProver.open(channel(GPU_PROVER), true)) {
      cpu.send(
          ProverMessage.newBuilder()
              .setReconnect(
                  ProverReconnectRequest.newBuilder()
                      .setProverId("cpu-2")
                      .setComputeCapacity(ComputeCapacity.newBuilder().setComputeUnits(1)))
              .build());
      assertEquals(Status.Code.PERMISSION_DENIED, cpu.awaitEnd().getCode());
    }
    assertEquals(0, rows("SELECT count(*) FROM provers"));
    try (RawProver gpu = RawProver.open(channel(GPU_PROVER), true);
        RawProver any = RawProver.open(channel(PROVER), true)) {
      assertTrue(gpu.register("gpu-1", 2).getAccepted());
      assertTrue(any.register("cpu-1", 2).getAccepted());
    }
  }

  private static ProverMessage register(String proverId) {
    return ProverMessage.newBuilder()
        .setRegister(
            ProverRegisterRequest.newBuilder()
                .setProverId(proverId)
                .setComputeCapacity(ComputeCapacity.newBuilder().setComputeUnits(2)))
        .build();
  }

  private static void assertStatus(Status.Code code, String says, Executable call) {
    StatusRuntimeException error = assertThrows(StatusRuntimeException.class, call);
    assertEquals(code, error.getStatus().getCode(), error.getStatus().toString());
    assertTrue(
        error.getStatus().getDescription().contains(says), error.getStatus().getDescription());
  }

  private static String launch(ZiskDistributedApiBlockingStub api) {
    var response =
        api.launchProof(
            LaunchProofRequest.newBuilder()
                .setBlockId("block")
                .setComputeCapacity(4)
                .setInputPath("/input")
                .build());
    assertFalse(response.hasError(), response.toString());
    return response.getJobId();
  }

  private static String cancel(ZiskDistributedApiBlockingStub api, String job) {
    var response = api.cancelJob(CancelJobRequest.newBuilder().setJobId(job).build());
    assertFalse(response.hasError(), response.toString());
    return response.getJob().getState();
  }

  private static String state(String job) {
    return state(api(ADMIN), job);
  }

  private static String state(ZiskDistributedApiBlockingStub api, String job) {
    return api.jobStatus(JobStatusRequest.newBuilder().setJobId(job).build()).getJob().getState();
  }

  private static long rows(String sql) {
    return coordinator.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
  }

  private static Channel channel(String secret) {
    return BearerTokens.withToken(coordinator.channel(), secret);
  }

  private static ZiskDistributedApiBlockingStub api(String secret) {
    return stub(channel(secret));
  }

  private static ZiskDistributedApiBlockingStub stub(Channel channel) {
    return ZiskDistributedApiGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
  }
}
