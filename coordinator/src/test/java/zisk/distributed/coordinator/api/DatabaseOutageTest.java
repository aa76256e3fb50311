package zisk.distributed.coordinator.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import zisk.distributed.api.v1.JobsListRequest;
import zisk.distributed.api.v1.JobsListResponse;
import zisk.distributed.api.v1.LaunchProofRequest;
import zisk.distributed.coordinator.config.CoordinatorConfig;
import zisk.distributed.coordinator.testing.RunningCoordinator;
import zisk.distributed.coordinator.testing.TcpProxy;
import zisk.distributed.coordinator.testing.TestDatabase;

/** The database goes away for real (its connections are cut) and comes back. */
class DatabaseOutageTest {

  @Test
  void answersSystemUnavailableWhileTheDatabaseIsUnreachableAndRecoversByItself() {
    String direct = TestDatabase.freshJdbcUrl();
    URI target = URI.create(direct.substring("jdbc:".length()));
    try (TcpProxy proxy = new TcpProxy(target.getHost(), target.getPort())) {
      String proxied =
          direct.replace(target.getHost() + ":" + target.getPort(), "127.0.0.1:" + proxy.port());
      CoordinatorConfig config =
          CoordinatorConfig.local(proxied)
              .withDatabase(Optional.of(proxied), Path.of("unused"), Duration.ofSeconds(1));

      try (RunningCoordinator coordinator = RunningCoordinator.inProcess(config)) {
        var api = coordinator.stub();
        var health = HealthGrpc.newBlockingStub(coordinator.channel());
        String jobId =
            api.launchProof(
                    LaunchProofRequest.newBuilder()
                        .setBlockId("b")
                        .setComputeCapacity(1)
                        .setInputPath("/in")
                        .build())
                .getJobId();

        proxy.cut();

        JobsListResponse down = api.jobsList(JobsListRequest.getDefaultInstance());
        assertEquals("SYSTEM_UNAVAILABLE", down.getError().getCode());
        assertEquals(
            "SYSTEM_UNAVAILABLE",
            api.launchProof(
                    LaunchProofRequest.newBuilder()
                        .setBlockId("b")
                        .setComputeCapacity(1)
                        .setInputPath("/in")
                        .build())
                .getError()
                .getCode());
        assertEquals(
            ServingStatus.NOT_SERVING,
            health.check(HealthCheckRequest.getDefaultInstance()).getStatus());
        assertEquals(
            "NOT_SERVING",
            api.healthCheck(zisk.distributed.api.v1.HealthCheckRequest.getDefaultInstance())
                .getStatus());

        proxy.restore();

        JobsListResponse up =
            await("JobsList to succeed again")
                .atMost(Duration.ofSeconds(30))
                .until(
                    () -> api.jobsList(JobsListRequest.getDefaultInstance()),
                    JobsListResponse::hasJobsList);
        assertEquals(
            jobId,
            up.getJobsList().getJobs(0).getJobId(),
            "the job launched before the outage is still there");
        assertEquals(
            1,
            up.getJobsList().getJobsCount(),
            "the launch refused during the outage created nothing");
        await("health to say SERVING")
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> health.check(HealthCheckRequest.getDefaultInstance()).getStatus(),
                ServingStatus.SERVING::equals);
      }
    }
  }
}
