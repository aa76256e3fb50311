package zisk.distributed.bench;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import zisk.distributed.api.v1.ProverRegisterResponse;

/**
 * N zero-work provers connected to one coordinator over real sockets, 100 streams to a channel (one
 * TCP connection each; HTTP/2 multiplexes the streams) so that thousands of idle provers do not
 * need thousands of connections. The channels run callbacks on their transport threads: the provers
 * never block, and the bench adds no thread hop to what it times.
 */
final class ProverFleet implements AutoCloseable {

  private static final int STREAMS_PER_CHANNEL = 100;
  private static final int REGISTER_ATTEMPTS = 5;

  private final List<ManagedChannel> channels = new ArrayList<>();
  private final List<ZeroWorkProver> provers = new ArrayList<>();
  private int retries;

  /**
   * Refusals by the coordinator's registration rate limit, retried: expected in a connect burst.
   */
  private int rateLimited;

  private ProverFleet() {}

  /**
   * Connects {@code count} provers named {@code prefix-1..count} with {@code computeUnits} each and
   * waits until the coordinator accepted every registration. They come in waves of 100, as a fleet
   * that starts up does rather than all in one instant, and a stream the coordinator ends while
   * registering (it could not record it) registers again, as a real worker would.
   */
  static ProverFleet connect(
      String host,
      int port,
      String prefix,
      int count,
      int computeUnits,
      ProverEvents events,
      Duration deadline) {
    ProverFleet fleet = new ProverFleet();
    try {
      for (int first = 0; first < count; first += STREAMS_PER_CHANNEL) {
        ManagedChannel channel =
            ManagedChannelBuilder.forAddress(host, port).usePlaintext().directExecutor().build();
        fleet.channels.add(channel);
        List<ZeroWorkProver> wave = new ArrayList<>();
        for (int i = first; i < Math.min(count, first + STREAMS_PER_CHANNEL); i++) {
          wave.add(ZeroWorkProver.connect(channel, prefix + "-" + (i + 1), computeUnits, events));
        }
        for (int attempt = 1; ; attempt++) {
          awaitAnswered(wave, deadline);
          List<Integer> failed = new ArrayList<>();
          for (int k = 0; k < wave.size(); k++) {
            if (wave.get(k).registered().isCompletedExceptionally()) {
              failed.add(k);
            }
          }
          if (failed.isEmpty()) {
            break;
          }
          if (attempt == REGISTER_ATTEMPTS) {
            fleet.provers.addAll(wave);
            String why =
                wave.get(failed.get(0))
                    .registered()
                    .handle((ok, error) -> error.getMessage())
                    .join();
            throw new BenchException(
                failed.size()
                    + " prover(s) could not register in "
                    + REGISTER_ATTEMPTS
                    + " attempts: "
                    + why);
          }
          for (int k : failed) {
            Throwable error = wave.get(k).registered().handle((ok, e) -> e).join();
            if (Status.fromThrowable(error).getCode() == Status.Code.RESOURCE_EXHAUSTED) {
              fleet.rateLimited++;
            } else {
              fleet.retries++;
            }
          }
          Waits.pause(Duration.ofMillis(200L * attempt));
          for (int k : failed) {
            wave.set(
                k, ZeroWorkProver.connect(channel, wave.get(k).proverId(), computeUnits, events));
          }
        }
        fleet.provers.addAll(wave);
      }
      for (ZeroWorkProver prover : fleet.provers) {
        ProverRegisterResponse answer = prover.registered().join();
        if (!answer.getAccepted()) {
          throw new BenchException(
              "the coordinator refused prover " + prover.proverId() + ": " + answer.getMessage());
        }
      }
      return fleet;
    } catch (RuntimeException e) {
      fleet.close();
      throw e;
    }
  }

  /** Waits until every prover of {@code wave} has its answer to register, or its stream failed. */
  private static void awaitAnswered(List<ZeroWorkProver> wave, Duration deadline) {
    CompletableFuture<?>[] all =
        wave.stream()
            .map(prover -> prover.registered().handle((ok, error) -> ok))
            .toArray(CompletableFuture[]::new);
    try {
      CompletableFuture.allOf(all).get(deadline.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      long done = wave.stream().filter(p -> p.registered().isDone()).count();
      throw new BenchException(
          "only "
              + done
              + " of "
              + wave.size()
              + " provers were answered within "
              + deadline.toSeconds()
              + " s of registering");
    } catch (ExecutionException e) {
      throw new BenchException("waiting for registrations failed: " + e.getCause(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted while provers registered", e);
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

  /** Registrations the coordinator's rate limit refused (and the fleet retried). */
  int rateLimited() {
    return rateLimited;
  }

  /** Anything unexpected the provers saw, for the section's line; empty when all went well. */
  String anomalies() {
    List<String> found = new ArrayList<>();
    if (retries > 0) {
      found.add(retries + " registration(s) retried after the coordinator ended the stream");
    }
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
