package zisk.distributed.client;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import zisk.distributed.api.v1.ZiskDistributedApiGrpc;
import zisk.distributed.api.v1.ZiskDistributedApiGrpc.ZiskDistributedApiBlockingStub;
import zisk.distributed.api.v1.ZiskDistributedApiGrpc.ZiskDistributedApiStub;
import zisk.distributed.common.tls.HandshakeFailures;
import zisk.distributed.worker.connection.CoordinatorEndpoint;

/**
 * The coordinators a client may call, in the order given, with failover: a call that cannot reach
 * the current one goes to the next, and the one that answered stays current for the next calls. One
 * channel per URL, opened when first needed (the bearer token rides on every call).
 */
public final class Coordinators implements AutoCloseable {

  /** Deadline of one unary call. */
  static final long CALL_SECONDS = 60;

  private final List<String> urls;
  private final List<CoordinatorEndpoint> endpoints;
  private final Function<CoordinatorEndpoint, ManagedChannel> opener;
  private final ManagedChannel[] channels;
  private int current;

  /**
   * @param urls as given, for messages; the same order as {@code endpoints}
   * @param opener opens a channel to one endpoint (TLS and token applied)
   */
  public Coordinators(
      List<String> urls,
      List<CoordinatorEndpoint> endpoints,
      Function<CoordinatorEndpoint, ManagedChannel> opener) {
    if (urls.isEmpty() || urls.size() != endpoints.size()) {
      throw new IllegalArgumentException("one URL per endpoint, at least one");
    }
    this.urls = List.copyOf(urls);
    this.endpoints = List.copyOf(endpoints);
    this.opener = opener;
    this.channels = new ManagedChannel[endpoints.size()];
  }

  public synchronized int size() {
    return urls.size();
  }

  /** The URL calls go to now. */
  public synchronized String currentUrl() {
    return urls.get(current);
  }

  /** Every URL, comma-separated, as {@code --url} takes them. */
  public String urlList() {
    return String.join(",", urls);
  }

  /** Moves to the next URL (after the last, back to the first). */
  public synchronized void failover() {
    current = (current + 1) % urls.size();
  }

  /** A blocking stub on the current URL, without a deadline (for streams). */
  public synchronized ZiskDistributedApiBlockingStub blocking() {
    return ZiskDistributedApiGrpc.newBlockingStub(channel(current));
  }

  /** An asynchronous stub on the current URL, without a deadline (for client streams). */
  public synchronized ZiskDistributedApiStub async() {
    return ZiskDistributedApiGrpc.newStub(channel(current));
  }

  /**
   * Runs one unary call, trying each URL from the current one until one answers.
   *
   * @param what names the call in messages, for example "JobStatus"
   * @throws ClientFailure exit 3 when no URL answered; exit 1 when one refused the call
   */
  public <T> T call(String what, Function<ZiskDistributedApiBlockingStub, T> rpc) {
    List<String> failures = new ArrayList<>();
    for (int tried = 0; tried < size(); tried++) {
      String url = currentUrl();
      ZiskDistributedApiBlockingStub stub =
          blocking().withDeadlineAfter(CALL_SECONDS, TimeUnit.SECONDS);
      try {
        return rpc.apply(stub);
      } catch (StatusRuntimeException e) {
        if (!unreachable(e)) {
          throw ClientFailure.rejected(what, url, e);
        }
        failures.add(url + ": " + explain(e, url));
        failover();
      }
    }
    throw unreachable(what, failures);
  }

  /** True when the failure says nothing answered at that URL (so another may). */
  public static boolean unreachable(StatusRuntimeException e) {
    Status.Code code = e.getStatus().getCode();
    return code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED;
  }

  /** Why a URL could not be reached, in words (a TLS handshake failure explained). */
  public synchronized String explain(StatusRuntimeException e, String url) {
    boolean tls = endpoints.get(urls.indexOf(url)).tls();
    return HandshakeFailures.explain(e, tls).orElse(ClientFailure.brief(e.getStatus()));
  }

  /** The exit-3 failure after every URL was tried. */
  public static ClientFailure unreachable(String what, List<String> failures) {
    return new ClientFailure(
        ExitCodes.UNREACHABLE,
        what + ": cannot reach any coordinator: " + String.join("; ", failures));
  }

  private ManagedChannel channel(int index) {
    if (channels[index] == null) {
      channels[index] = opener.apply(endpoints.get(index));
    }
    return channels[index];
  }

  @Override
  public synchronized void close() {
    for (ManagedChannel channel : channels) {
      if (channel != null) {
        channel.shutdownNow();
      }
    }
  }
}
