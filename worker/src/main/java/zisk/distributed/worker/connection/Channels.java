package zisk.distributed.worker.connection;

import io.grpc.ChannelCredentials;
import io.grpc.CompositeChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** Opens and closes the gRPC channels to coordinators. */
public final class Channels {

  /**
   * Largest message the worker accepts: an AGGREGATE task carries every rank's partial proof, far
   * beyond gRPC's 4 MiB default.
   */
  public static final int MAX_INBOUND_MESSAGE_BYTES = 256 * 1024 * 1024;

  private Channels() {}

  /**
   * Opens channels with the given TLS settings, whose files are read once, here, and the token (if
   * any) on every call.
   *
   * @throws zisk.distributed.common.config.ConfigException when a TLS file cannot be used
   */
  public static Function<CoordinatorEndpoint, ManagedChannel> opener(
      ClientTls tls, Optional<BearerToken> token) {
    ChannelCredentials credentials = tls.credentials();
    return endpoint -> open(endpoint, credentials, token);
  }

  /** {@link #open(CoordinatorEndpoint, ChannelCredentials)} trusting the system's CAs. */
  public static ManagedChannel open(CoordinatorEndpoint endpoint) {
    return open(endpoint, TlsChannelCredentials.create());
  }

  /**
   * A fresh channel per session: a channel that failed keeps its own reconnect back-off, which
   * would override ours, so no channel is reused after its session ends.
   *
   * @param tlsCredentials used for an https:// endpoint (see {@link ClientTls#credentials()}); an
   *     http:// endpoint is plaintext
   */
  public static ManagedChannel open(
      CoordinatorEndpoint endpoint, ChannelCredentials tlsCredentials) {
    return open(endpoint, tlsCredentials, Optional.empty());
  }

  /** As {@link #open(CoordinatorEndpoint, ChannelCredentials)}; every call carries the token. */
  public static ManagedChannel open(
      CoordinatorEndpoint endpoint,
      ChannelCredentials tlsCredentials,
      Optional<BearerToken> token) {
    ChannelCredentials transport =
        endpoint.tls() ? tlsCredentials : InsecureChannelCredentials.create();
    ChannelCredentials credentials =
        token
            .<ChannelCredentials>map(t -> CompositeChannelCredentials.create(transport, t))
            .orElse(transport);
    return Grpc.newChannelBuilderForAddress(endpoint.host(), endpoint.port(), credentials)
        .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
        .userAgent("zisk-worker")
        .build();
  }

  /**
   * Lets calls still open finish (so a result written just before a graceful close is flushed),
   * then cuts whatever is left after {@code patience}.
   */
  public static void close(ManagedChannel channel, Duration patience) {
    channel.shutdown();
    try {
      if (!channel.awaitTermination(patience.toNanos(), TimeUnit.NANOSECONDS)) {
        channel.shutdownNow();
      }
    } catch (InterruptedException e) {
      channel.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
