package zisk.distributed.cli;

import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import zisk.distributed.client.ClientFailure;
import zisk.distributed.common.config.ConfigException;
import zisk.distributed.common.tls.HandshakeFailures;
import zisk.distributed.worker.connection.BearerToken;
import zisk.distributed.worker.connection.Channels;
import zisk.distributed.worker.connection.CoordinatorEndpoint;

/**
 * {@code zisk health}: asks a coordinator's standard {@code grpc.health.v1.Health} service, for
 * container health checks and scripts.
 */
@Command(
    name = "health",
    mixinStandardHelpOptions = true,
    description = {
      "Asks the coordinator's grpc.health.v1 service whether it is serving (NOT_SERVING while its",
      "database is unreachable). Exit status: 0 SERVING, 1 NOT_SERVING or an unknown service,",
      "2 bad usage, 3 unreachable."
    })
public final class HealthCommand implements Callable<Integer> {

  /** Exit statuses, as documented above. */
  static final int SERVING = 0;

  static final int NOT_SERVING = 1;
  static final int USAGE = 2;
  static final int UNREACHABLE = 3;

  @Option(
      names = "--url",
      paramLabel = "URL",
      defaultValue = "http://127.0.0.1:8080",
      description =
          "Coordinator address: http://host:port, or https://host:port for TLS (default: ${DEFAULT-VALUE}).")
  String url;

  @Option(
      names = "--service",
      paramLabel = "NAME",
      defaultValue = "",
      description =
          "Service to ask about, e.g. zisk.distributed.api.v1.ZiskDistributedApi (default: the server as a whole).")
  String service;

  @Option(
      names = "--timeout-seconds",
      paramLabel = "S",
      defaultValue = "5",
      description = "How long to wait for the answer, 1 to 300 (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  @Mixin ClientTlsOptions tls;

  @Option(
      names = "--token",
      paramLabel = "SECRET",
      defaultValue = "${env:ZISK_TOKEN}",
      description = "Bearer token to send (default: ZISK_TOKEN; none when unset).")
  String token;

  @Override
  public Integer call() {
    CoordinatorEndpoint endpoint;
    ChannelCredentials tlsCredentials;
    Optional<BearerToken> bearer;
    try {
      if (timeoutSeconds < 1 || timeoutSeconds > 300) {
        throw new IllegalArgumentException("--timeout-seconds must be 1 to 300");
      }
      endpoint = CoordinatorEndpoint.parse(url);
      tlsCredentials = tls.settings().credentials();
      bearer =
          token == null || token.isBlank() ? Optional.empty() : Optional.of(BearerToken.of(token));
    } catch (IllegalArgumentException | ConfigException e) {
      System.err.println("zisk health: " + e.getMessage());
      return USAGE;
    }
    ManagedChannel channel = Channels.open(endpoint, tlsCredentials, bearer);
    try {
      HealthCheckResponse.ServingStatus status =
          HealthGrpc.newBlockingStub(channel)
              .withDeadlineAfter(timeoutSeconds, TimeUnit.SECONDS)
              .check(HealthCheckRequest.newBuilder().setService(service).build())
              .getStatus();
      System.out.println(status);
      return status == HealthCheckResponse.ServingStatus.SERVING ? SERVING : NOT_SERVING;
    } catch (StatusRuntimeException e) {
      Status.Code code = e.getStatus().getCode();
      if (code == Status.Code.NOT_FOUND) {
        System.out.println("SERVICE_UNKNOWN");
        return NOT_SERVING;
      }
      if (code == Status.Code.UNAUTHENTICATED || code == Status.Code.PERMISSION_DENIED) {
        System.err.println(
            "zisk health: the coordinator refused the call: " + e.getStatus().getDescription());
        return NOT_SERVING;
      }
      System.err.println(
          "zisk health: cannot reach the coordinator at "
              + url
              + ": "
              + HandshakeFailures.explain(e, endpoint.tls())
                  .orElse(ClientFailure.brief(e.getStatus())));
      return UNREACHABLE;
    } finally {
      channel.shutdownNow();
    }
  }
}
