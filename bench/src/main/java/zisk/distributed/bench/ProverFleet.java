package zisk.distributed.bench;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import zisk.distributed.api.v1.ProverRegisterResponse;

/**
 * N zero-work provers connected to one coordinator over real sockets, 100 streams to a channel
 * (one TCP connection each; HTTP/2 multiplexes the streams) so that thousands of idle provers do
 * not need thousands of connections. The channels run callbacks on their transport threads: the
 * provers never block, and the bench adds no thread hop to what it times.
 */
final class ProverFleet implements AutoCloseable {

  private static final int STREAMS_PER_CHANNEL = 100;

  private final List<ManagedChannel> channels = new ArrayList<>();
  private final List<ZeroWorkProver> provers = new ArrayList<>();

  private ProverFleet() {}

  /**
   * Connects {@code count} provers named {@code prefix-1..count} with {@code computeUnits} each and
   * waits until the coordinator accepted every registration.
   */
  static ProverFleet connect(String host, int port, String prefix, int count, int computeUnits, ProverEvents events,
      Duration deadline) {
    ProverFleet fleet = new ProverFleet();
    try {
      for (int i = 0; i < count; i++) {
        if (i % STREAMS_PER_CHANNEL == 0) {
          fleet.channels.add(ManagedChannelBuilder.forAddress(host, port).usePlaintext().directExecutor().build());
        }
        ManagedChannel channel = fleet.channels.get(fleet.channels.size() - 1);
        fleet.provers.add(ZeroWorkProver.connect(channel, prefix + "-" + (i + 1), computeUnits, events));
      }
      fleet.awaitRegistered(deadline);
      return fleet;
    } catch (RuntimeException e) {
      fleet.close();
      throw e;
    }
  }

  private void awaitRegistered(Duration deadline) {
    CompletableFuture<?>[] all = provers.stream().map(ZeroWorkProver::registered).toArray(CompletableFuture[]::new);
    try {
      CompletableFuture.allOf(all).get(deadline.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      long done = provers.stream().filter(p -> p.registered().isDone()).count();
      throw new BenchException("only " + done + " of " + provers.size() + " provers were answered within "
          + deadline.toSeconds() + " s of registering");
    } catch (ExecutionException e) {
      throw new BenchException("a prover's stream failed while registering: " + e.getCause().getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted while provers registered", e);
    }
    for (ZeroWorkProver prover : provers) {
      ProverRegisterResponse answer = prover.registered().join();
      if (!answer.getAccepted()) {
        throw new BenchException("the coordinator refused prover " + prover.proverId() + ": " + answer.getMessage());
      }
    }
  }

  int size() {
    return provers.size();
  }

  int channelCount() {
    return channels.size();
  }

  long heartbeats() {
    return provers.stream().mapToLong(ZeroWorkProver::heartbeats).sum();
  }

  boolean everyProverHadAHeartbeat() {
    return provers.stream().allMatch(prover -> prover.heartbeats() > 0);
  }

  long cancellations() {
    return provers.stream().mapToLong(ZeroWorkProver::cancellations).sum();
  }

  /** Streams that ended while they should be open (the coordinator dropped them). */
  long streamsEnded() {
    return provers.stream().filter(ZeroWorkProver::hasEnded).count();
  }

  /** Anything unexpected the provers saw, for the section's line; empty when all went well. */
  String anomalies() {
    List<String> found = new ArrayList<>();
    long ended = streamsEnded();
    if (ended > 0) {
      found.add(ended + " stream(s) ended by the coordinator");
    }
    long cancelled = cancellations();
    if (cancelled > 0) {
      found.add(cancelled + " JobCancelled message(s)");
    }
    return String.join(", ", found);
  }

  @Override
  public void close() {
    provers.forEach(ZeroWorkProver::close);
    for (ManagedChannel channel : channels) {
      channel.shutdown();
    }
    for (ManagedChannel channel : channels) {
      try {
        if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
          channel.shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        channel.shutdownNow();
      }
    }
  }
}
