package zisk.distributed.worker.connection;

import io.grpc.ChannelCredentials;
import io.grpc.TlsChannelCredentials;
import java.nio.file.Path;
import java.util.Optional;
import zisk.distributed.common.tls.TlsManagers;

/**
 * How a worker or a client command secures its https:// connections to coordinators: the CAs it
 * trusts, and the certificate it presents when the coordinator requires mutual TLS. http:// URLs
 * stay plaintext whatever this says.
 *
 * @param caFile PEM CA certificates to trust instead of the system trust store
 * @param certFile PEM client certificate chain, for mutual TLS; set with {@code keyFile}
 * @param keyFile PEM (PKCS#8) private key of {@code certFile}
 */
public record ClientTls(Optional<Path> caFile, Optional<Path> certFile, Optional<Path> keyFile) {

  /** The system trust store and no client certificate. */
  public static final ClientTls SYSTEM_TRUST =
      new ClientTls(Optional.empty(), Optional.empty(), Optional.empty());

  public ClientTls {
    if (certFile.isPresent() != keyFile.isPresent()) {
      throw new IllegalArgumentException(
          "a client certificate needs both --tls-cert-file and --tls-key-file");
    }
  }

  /**
   * Reads the files and builds the TLS credentials for https:// channels.
   *
   * @throws zisk.distributed.common.config.ConfigException naming the file and what is wrong
   */
  public ChannelCredentials credentials() {
    TlsChannelCredentials.Builder builder = TlsChannelCredentials.newBuilder();
    caFile.ifPresent(ca -> builder.trustManager(TlsManagers.trustManagers("--ca-file", ca)));
    if (certFile.isPresent()) {
      builder.keyManager(
          TlsManagers.keyManagers(
              "--tls-cert-file", certFile.get(), "--tls-key-file", keyFile.get()));
    }
    return builder.build();
  }
}
