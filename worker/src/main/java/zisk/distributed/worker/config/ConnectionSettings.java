package zisk.distributed.worker.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import zisk.distributed.common.config.ConfigException;
import zisk.distributed.common.config.LayeredConfig;
import zisk.distributed.worker.connection.BearerToken;
import zisk.distributed.worker.connection.ClientTls;
import zisk.distributed.worker.connection.CoordinatorEndpoint;

/** How the settings of the connection to the coordinators are read: URLs, TLS files, token. */
final class ConnectionSettings {

  private ConnectionSettings() {}

  /** The prover token, if set; its value is never echoed in an error. */
  static Optional<BearerToken> token(LayeredConfig config) {
    return config
        .get(WorkerSettings.TOKEN.fileKey())
        .map(
            value -> {
              Optional<String> problem = BearerToken.problem(value.text());
              if (problem.isPresent()) {
                // Never echo the value: it is a secret.
                throw new ConfigException(
                    "invalid "
                        + WorkerSettings.TOKEN.fileKey()
                        + " (from "
                        + value.origin()
                        + "): "
                        + problem.get());
              }
              return BearerToken.of(value.text());
            });
  }

  /** A client certificate needs its key; the files must be readable now, not at first connect. */
  static ClientTls tls(LayeredConfig config) {
    Optional<Path> cert = config.readableFile(WorkerSettings.TLS_CERT_FILE.fileKey());
    Optional<Path> key = config.readableFile(WorkerSettings.TLS_KEY_FILE.fileKey());
    if (cert.isPresent() != key.isPresent()) {
      throw new ConfigException(
          "a client certificate needs both "
              + WorkerSettings.TLS_CERT_FILE.fileKey()
              + " and "
              + WorkerSettings.TLS_KEY_FILE.fileKey()
              + "; only "
              + (cert.isPresent() ? WorkerSettings.TLS_CERT_FILE : WorkerSettings.TLS_KEY_FILE)
                  .fileKey()
              + " is set");
    }
    return new ClientTls(config.readableFile(WorkerSettings.CA_FILE.fileKey()), cert, key);
  }

  static List<CoordinatorEndpoint> coordinators(LayeredConfig config) {
    String key = WorkerSettings.SERVER_URL.fileKey();
    LayeredConfig.Value value =
        config
            .get(key)
            .orElse(new LayeredConfig.Value(WorkerSettings.DEFAULT_SERVER_URL, "default"));
    List<CoordinatorEndpoint> endpoints = new ArrayList<>();
    for (String url : value.text().split(",")) {
      if (url.isBlank()) {
        continue;
      }
      try {
        endpoints.add(CoordinatorEndpoint.parse(url));
      } catch (IllegalArgumentException e) {
        throw LayeredConfig.invalid(key, value, e.getMessage());
      }
    }
    if (endpoints.isEmpty()) {
      throw LayeredConfig.invalid(key, value, "no coordinator URL given");
    }
    return endpoints;
  }
}
