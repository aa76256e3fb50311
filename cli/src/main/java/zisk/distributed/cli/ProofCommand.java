package zisk.distributed.cli;

import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import zisk.distributed.api.v1.GetProofRequest;
import zisk.distributed.api.v1.GetProofResponse;
import zisk.distributed.api.v1.ZiskDistributedApiGrpc;
import zisk.distributed.client.ClientFailure;
import zisk.distributed.common.config.ConfigException;
import zisk.distributed.common.tls.HandshakeFailures;
import zisk.distributed.worker.connection.BearerToken;
import zisk.distributed.worker.connection.Channels;
import zisk.distributed.worker.connection.CoordinatorEndpoint;

/** {@code zisk proof JOB_ID -o FILE}: fetches a completed job's final proof over the API. */
@Command(
    name = "proof",
    mixinStandardHelpOptions = true,
    description = {
      "Saves the final proof of a COMPLETED job to a file (a serialized FinalProofList, the format",
      "`zisk verify` reads). Exit status: 0 saved, 1 the coordinator answered an error, 2 bad usage, 3 unreachable."
    })
public final class ProofCommand implements Callable<Integer> {

  @Parameters(
      index = "0",
      paramLabel = "JOB_ID",
      description = "The job's id, as LaunchProof answered it.")
  String jobId;

  @Option(
      names = {"-o", "--output"},
      required = true,
      paramLabel = "FILE",
      description = "Where to write the proof.")
  Path output;

  @Option(
      names = "--url",
      paramLabel = "URL",
      defaultValue = "http://127.0.0.1:8080",
      description =
          "Coordinator address: http://host:port, or https://host:port for TLS (default: ${DEFAULT-VALUE}).")
  String url;

  @Mixin ClientTlsOptions tls;

  @Option(
      names = "--token",
      paramLabel = "SECRET",
      defaultValue = "${env:ZISK_TOKEN}",
      description =
          "Bearer token for a coordinator with tokens configured (default: ZISK_TOKEN; none when unset).")
  String token;

  @Override
  public Integer call() {
    CoordinatorEndpoint endpoint;
    ChannelCredentials tlsCredentials;
    try {
      endpoint = CoordinatorEndpoint.parse(url);
      tlsCredentials = tls.settings().credentials();
    } catch (IllegalArgumentException | ConfigException e) {
      System.err.println("zisk proof: " + e.getMessage());
      return 2;
    }
    Optional<BearerToken> bearer;
    try {
      bearer =
          token == null || token.isBlank() ? Optional.empty() : Optional.of(BearerToken.of(token));
    } catch (IllegalArgumentException e) {
      System.err.println("zisk proof: --token / ZISK_TOKEN: " + e.getMessage());
      return 2;
    }
    ManagedChannel channel = Channels.open(endpoint, tlsCredentials, bearer);
    try {
      GetProofResponse response =
          ZiskDistributedApiGrpc.newBlockingStub(channel)
              .withDeadlineAfter(60, TimeUnit.SECONDS)
              .getProof(GetProofRequest.newBuilder().setJobId(jobId).build());
      if (response.hasError()) {
        System.err.println(
            "zisk proof: "
                + response.getError().getCode()
                + ": "
                + response.getError().getMessage());
        return 1;
      }
      byte[] proof = response.getProof().getFinalProof().toByteArray();
      Files.write(output, proof);
      System.out.println(
          "saved the final proof of job "
              + jobId
              + " (block "
              + response.getProof().getBlockId()
              + ", "
              + proof.length
              + " bytes) to "
              + output);
      return 0;
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.UNAUTHENTICATED
          || e.getStatus().getCode() == Status.Code.PERMISSION_DENIED) {
        System.err.println(
            "zisk proof: the coordinator refused the call: " + e.getStatus().getDescription());
        return 1;
      }
      System.err.println(
          "zisk proof: cannot reach the coordinator at "
              + url
              + ": "
              + HandshakeFailures.explain(e, endpoint.tls())
                  .orElse(ClientFailure.brief(e.getStatus())));
      return 3;
    } catch (IOException e) {
      System.err.println("zisk proof: cannot write " + output + ": " + e.getMessage());
      return 1;
    } finally {
      channel.shutdownNow();
    }
  }
}
