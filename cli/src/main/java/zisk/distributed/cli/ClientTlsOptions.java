package zisk.distributed.cli;

import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;
import zisk.distributed.worker.connection.ClientTls;

/**
 * The TLS options every client command takes for https:// coordinator URLs: a CA to trust instead
 * of the system trust store, and a client certificate for a coordinator that requires mutual TLS.
 */
public final class ClientTlsOptions {

  @Option(
      names = "--ca-file",
      paramLabel = "FILE",
      description = "PEM CA certificate(s) to trust for an https:// URL (default: the system's).")
  Path caFile;

  @Option(
      names = "--tls-cert-file",
      paramLabel = "FILE",
      description =
          "PEM client certificate, for a coordinator that requires mutual TLS (with --tls-key-file).")
  Path certFile;

  @Option(
      names = "--tls-key-file",
      paramLabel = "FILE",
      description = "PEM (PKCS#8) private key of --tls-cert-file.")
  Path keyFile;

  /**
   * @throws IllegalArgumentException when only one of the certificate and its key is given
   */
  public ClientTls settings() {
    return new ClientTls(
        Optional.ofNullable(caFile), Optional.ofNullable(certFile), Optional.ofNullable(keyFile));
  }
}
