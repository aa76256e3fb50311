package zisk.distributed.coordinator;

import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.common.tls.TlsManagers;
import zisk.distributed.coordinator.auth.Gate;
import zisk.distributed.coordinator.config.CoordinatorConfig;

/**
 * The credentials of the gRPC port: plaintext, TLS, or mutual TLS (clients must present a
 * certificate signed by the configured client CA). The PEM files are read and checked here, before
 * the port opens, so a bad file stops the start with a message naming it.
 */
final class ServerSecurity {

  private static final Logger log = LoggerFactory.getLogger(ServerSecurity.class);

  private ServerSecurity() {}

  /**
   * @throws zisk.distributed.common.config.ConfigException naming the file and what is wrong
   */
  static ServerCredentials credentials(Optional<CoordinatorConfig.Tls> tls) {
    if (tls.isEmpty()) {
      return InsecureServerCredentials.create();
    }
    CoordinatorConfig.Tls settings = tls.get();
    TlsServerCredentials.Builder builder =
        TlsServerCredentials.newBuilder()
            .keyManager(
                TlsManagers.keyManagers(
                    "server.tls.cert_file",
                    settings.certFile(),
                    "server.tls.key_file",
                    settings.keyFile()));
    // A coordinator with an expired certificate is refused by every client; say why at start.
    TlsManagers.validityProblem("server.tls.cert_file", settings.certFile(), Instant.now())
        .ifPresent(problem -> log.warn("{}: clients will refuse it", problem));
    settings
        .clientCaFile()
        .ifPresent(
            ca ->
                builder
                    .trustManager(TlsManagers.trustManagers("server.tls.client_ca_file", ca))
                    .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE));
    return builder.build();
  }

  /** For the start-up line: what a client needs to connect. */
  static String describe(Optional<CoordinatorConfig.Tls> tls) {
    if (tls.isEmpty()) {
      return "TLS off (plaintext)";
    }
    return tls.get()
        .clientCaFile()
        .map(ca -> "TLS on, mutual (client certificates signed by " + ca + ")")
        .orElse("TLS on");
  }

  /** Says who may call, and warns when admin calls are unprotected beyond this machine. */
  static void logAuthMode(Gate gate, String host, int port) {
    if (gate.tokensConfigured()) {
      log.info("authentication: {} tokens", gate.tokenCount());
      return;
    }
    log.info("no tokens: admin RPCs from loopback only; ProverStream open to all");
    if (!isLoopback(host)) {
      log.warn(
          "listening on {} without tokens: anyone who reaches port {} can register a prover and"
              + " receive jobs; configure [[auth.tokens]] (see `zisk token new`) or bind to"
              + " 127.0.0.1",
          host,
          port);
    }
  }

  private static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (IOException e) {
      return false;
    }
  }
}
