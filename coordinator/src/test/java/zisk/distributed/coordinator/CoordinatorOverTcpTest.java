package zisk.distributed.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import zisk.distributed.api.v1.JobStatus;
import zisk.distributed.api.v1.JobsListRequest;
import zisk.distributed.api.v1.LaunchProofRequest;
import zisk.distributed.coordinator.config.CoordinatorConfig;
import zisk.distributed.coordinator.testing.RunningCoordinator;
import zisk.distributed.coordinator.testing.TestDatabase;

/** The real server on a real port, called through generated stubs over TCP. */
class CoordinatorOverTcpTest {

  @Test
  void launchedJobsSurviveARestartOfTheCoordinator() {
    CoordinatorConfig config = CoordinatorConfig.local(TestDatabase.freshJdbcUrl());
    String first;
    String second;
    try (RunningCoordinator coordinator = RunningCoordinator.onTcp(config)) {
      assertTrue(coordinator.server().port() > 0);
      first = coordinator.stub().launchProof(launch("block_1")).getJobId();
      second = coordinator.stub().launchProof(launch("block_2")).getJobId();
    }

    try (RunningCoordinator restarted = RunningCoordinator.onTcp(config)) {
      List<String> ids =
          restarted
              .stub()
              .jobsList(JobsListRequest.getDefaultInstance())
              .getJobsList()
              .getJobsList()
              .stream()
              .map(JobStatus::getJobId)
              .toList();

      assertEquals(List.of(second, first), ids);
      assertEquals(
          List.of(true, false),
          restarted
              .jdbi()
              .withHandle(
                  h ->
                      h.createQuery(
                              "SELECT stopped_at IS NOT NULL FROM coordinator_instances ORDER BY started_at")
                          .mapTo(Boolean.class)
                          .list()),
          "the first instance was marked stopped, the second is live");
    }
  }

  @Test
  void servesHealthAndReflectionForGrpcurl() throws Exception {
    try (RunningCoordinator coordinator =
        RunningCoordinator.onTcp(CoordinatorConfig.local(TestDatabase.freshJdbcUrl()))) {
      assertEquals(
          ServingStatus.SERVING,
          HealthGrpc.newBlockingStub(coordinator.channel())
              .check(HealthCheckRequest.getDefaultInstance())
              .getStatus());

      CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
      StreamObserver<ServerReflectionRequest> requests =
          ServerReflectionGrpc.newStub(coordinator.channel())
              .serverReflectionInfo(
                  new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse value) {
                      answer.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                      answer.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {}
                  });
      requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
      List<String> services =
          answer.get(10, TimeUnit.SECONDS).getListServicesResponse().getServiceList().stream()
              .map(ServiceResponse::getName)
              .sorted()
              .toList();
      requests.onCompleted();

      assertEquals(
          List.of(
              "grpc.health.v1.Health",
              "grpc.reflection.v1.ServerReflection",
              "grpc.reflection.v1alpha.ServerReflection",
              "zisk.distributed.api.v1.ZiskDistributedApi"),
          services);
    }
  }

  private static LaunchProofRequest launch(String blockId) {
    return LaunchProofRequest.newBuilder()
        .setBlockId(blockId)
        .setComputeCapacity(2)
        .setInputPath("/data/" + blockId)
        .build();
  }
}
