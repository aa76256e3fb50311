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

/** Opens and closes the gRPC channels to coordinators. */
public final class Channels {

  /**
   * Largest message the worker accepts: an AGGREGATE task carries every rank's partial proof, far
   * beyond gRPC's 4 MiB default.
   */
  public static final int MAX_INBOUND_MESSAGE_BYTES = 256 * 1024 * 1024;

  private Channels() {}

  /**
   * A fresh channel per session: a channel that failed keeps its own reconnect back-off, which
   * would override ours, so no channel is reused after its session ends.
   */
  public static ManagedChannel open(CoordinatorEndpoint endpoint) {
    return open(endpoint, Optional.empty());
  }

  /** A channel whose every call carries {@code token}, when one is given. */
  public static ManagedChannel open(CoordinatorEndpoint endpoint, Optional<BearerToken> token) {
    ChannelCredentials transport =
        endpoint.tls() ? TlsChannelCredentials.create() : InsecureChannelCredentials.create();
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
