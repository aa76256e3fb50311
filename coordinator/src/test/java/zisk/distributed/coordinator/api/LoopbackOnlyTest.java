package zisk.distributed.coordinator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import zisk.distributed.api.v1.CancelJobRequest;
import zisk.distributed.api.v1.HealthCheckRequest;
import zisk.distributed.api.v1.JobsListRequest;
import zisk.distributed.api.v1.LaunchProofRequest;
import zisk.distributed.api.v1.ProversListRequest;
import zisk.distributed.api.v1.ZiskDistributedApiGrpc;
import zisk.distributed.api.v1.ZiskDistributedApiGrpc.ZiskDistributedApiBlockingStub;
import zisk.distributed.coordinator.CoordinatorServer;
import zisk.distributed.coordinator.config.CoordinatorConfig;
import zisk.distributed.coordinator.config.CoordinatorSettings;
import zisk.distributed.coordinator.testing.LogCapture;
import zisk.distributed.coordinator.testing.RawProver;
import zisk.distributed.coordinator.testing.RunningCoordinator;
import zisk.distributed.coordinator.testing.TestDatabase;

/**
 * Without tokens, as the seed: a coordinator bound to 0.0.0.0 answers admin calls only on loopback,
 * while ProverStream and HealthCheck stay open to any address. The remote caller is this machine's
 * own non-loopback address, which reaches the same socket from outside loopback.
 */
class LoopbackOnlyTest {

  private static RunningCoordinator coordinator;
  private static List<String> startupLog;
  private static InetAddress external;
  private static ManagedChannel remote;

  @BeforeAll
  static void startOnAllInterfaces() throws Exception {
    external = nonLoopbackAddress().orElse(null);
    assumeTrue(external != null, "this machine has no non-loopback IPv4 address");
    CoordinatorConfig config =
        CoordinatorSettings.resolve(
            Map.of(
                "DISTRIBUTED_SERVER_HOST", "0.0.0.0",
                "DISTRIBUTED_SERVER_PORT", "0",
                "DISTRIBUTED_DATABASE_URL", TestDatabase.freshJdbcUrl()),
            null,
            Map.of());
    try (LogCapture log = LogCapture.ofPackage(CoordinatorServer.class)) {
      coordinator = RunningCoordinator.onTcp(config);
      startupLog = log.lines();
    }
    remote =
        NettyChannelBuilder.forAddress(external.getHostAddress(), coordinator.server().port())
            .usePlaintext()
            .build();
  }

  @AfterAll
  static void stop() {
    if (remote != null) {
      remote.shutdownNow();
    }
    if (coordinator != null) {
      coordinator.close();
    }
  }

  @Test
  void adminCallsFromAnotherAddressAreRefused() {
    ZiskDistributedApiBlockingStub api = stub(remote);

    assertRefused(
        () ->
            api.launchProof(
                LaunchProofRequest.newBuilder()
                    .setBlockId("b")
                    .setComputeCapacity(1)
                    .setInputPath("/in")
                    .build()));
    assertRefused(() -> api.jobsList(JobsListRequest.getDefaultInstance()));
    assertRefused(() -> api.proversList(ProversListRequest.getDefaultInstance()));
    assertRefused(
        () ->
            api.cancelJob(
                CancelJobRequest.newBuilder()
                    .setJobId("00000000-0000-0000-0000-000000000000")
                    .build()));
    assertEquals("SERVING", api.healthCheck(HealthCheckRequest.getDefaultInstance()).getStatus());
  }

  @Test
  void adminCallsFromLoopbackWork() {
    var launched =
        coordinator
            .stub()
            .launchProof(
                LaunchProofRequest.newBuilder()
                    .setBlockId("b")
                    .setComputeCapacity(1)
                    .setInputPath("/in")
                    .build());

    assertFalse(launched.hasError(), launched.toString());
    assertTrue(coordinator.stub().jobsList(JobsListRequest.getDefaultInstance()).hasJobsList());
  }

  @Test
  void proverStreamIsOpenToAnyAddress() {
    try (RawProver prover = RawProver.open(remote, true)) {
      assertTrue(prover.register("remote-prover-1", 2).getAccepted());
    }
  }

  @Test
  void startupLogSaysTheModeAndWarnsAboutTheBindAddress() {
    assertTrue(
        startupLog.stream()
            .anyMatch(line -> line.startsWith("INFO no tokens: admin RPCs from loopback only")),
        startupLog.toString());
    assertTrue(
        startupLog.stream()
            .anyMatch(line -> line.startsWith("WARN listening on 0.0.0.0 without tokens")),
        startupLog.toString());
  }

  private static void assertRefused(Executable call) {
    StatusRuntimeException error = assertThrows(StatusRuntimeException.class, call);
    assertEquals(Status.Code.PERMISSION_DENIED, error.getStatus().getCode());
    assertTrue(
        error.getStatus().getDescription().contains("only on loopback")
            && error.getStatus().getDescription().contains("[[auth.tokens]]"),
        error.getStatus().getDescription());
  }

  private static ZiskDistributedApiBlockingStub stub(ManagedChannel channel) {
    return ZiskDistributedApiGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  private static Optional<InetAddress> nonLoopbackAddress() throws SocketException {
    return NetworkInterface.networkInterfaces()
        .filter(
            nic -> {
              try {
                return nic.isUp() && !nic.isLoopback();
              } catch (SocketException e) {
                return false;
              }
            })
        .flatMap(NetworkInterface::inetAddresses)
        .filter(address -> address instanceof Inet4Address && !address.isLinkLocalAddress())
        .findFirst();
  }
}
