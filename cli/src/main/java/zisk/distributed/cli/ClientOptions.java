package zisk.distributed.cli;

import io.grpc.ChannelCredentials;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import zisk.distributed.client.ClientFailure;
import zisk.distributed.client.Coordinators;
import zisk.distributed.common.config.ConfigException;
import zisk.distributed.worker.connection.BearerToken;
import zisk.distributed.worker.connection.Channels;
import zisk.distributed.worker.connection.CoordinatorEndpoint;

/** The options every client command takes: where the coordinators are, how to log in, --output. */
public final class ClientOptions {

  /** Where `zisk coordinator` listens by default. */
  static final String DEFAULT_URL = "http://127.0.0.1:8080";

  /** Most URLs one command takes. */
  static final int MAX_URLS = 16;

  /** How results are printed. */
  public enum Format {
    text,
    json
  }

  @Option(
      names = "--url",
      paramLabel = "URL",
      split = ",",
      defaultValue = DEFAULT_URL,
      description = {
        "Coordinator address, http://host:port or https://host:port (default: ${DEFAULT-VALUE}).",
        "Several (repeated or comma-separated) for failover: tried in order until one answers."
      })
  List<String> urls = new ArrayList<>();

  @Option(
      names = "--token",
      paramLabel = "SECRET",
      defaultValue = "${env:ZISK_TOKEN}",
      description =
          "Bearer token for a coordinator with tokens configured (default: ZISK_TOKEN; none when unset).")
  String token;

  @Option(
      names = "--output",
      paramLabel = "FORMAT",
      defaultValue = "text",
      description = "text (default) or json: one JSON object per result, JSON lines for a watch.")
  Format format;

  @Mixin ClientTlsOptions tls = new ClientTlsOptions();

  boolean json() {
    return format == Format.json;
  }

  /**
   * The coordinators these options name.
   *
   * @throws ClientFailure exit 2 for a bad URL, token or TLS file
   */
  Coordinators open() {
    if (urls.size() > MAX_URLS) {
      throw ClientFailure.usage("--url: at most " + MAX_URLS + " URLs");
    }
    List<String> given = new ArrayList<>();
    List<CoordinatorEndpoint> endpoints = new ArrayList<>();
    ChannelCredentials tlsCredentials;
    Optional<BearerToken> bearer;
    try {
      for (String url : urls) {
        if (!url.isBlank()) {
          endpoints.add(CoordinatorEndpoint.parse(url));
          given.add(url.trim());
        }
      }
      tlsCredentials = tls.settings().credentials();
    } catch (IllegalArgumentException | ConfigException e) {
      throw ClientFailure.usage(e.getMessage());
    }
    if (endpoints.isEmpty()) {
      throw ClientFailure.usage("--url: no coordinator URL given");
    }
    try {
      bearer =
          token == null || token.isBlank() ? Optional.empty() : Optional.of(BearerToken.of(token));
    } catch (IllegalArgumentException e) {
      throw ClientFailure.usage("--token / ZISK_TOKEN: " + e.getMessage());
    }
    return new Coordinators(
        given, endpoints, endpoint -> Channels.open(endpoint, tlsCredentials, bearer));
  }
}
