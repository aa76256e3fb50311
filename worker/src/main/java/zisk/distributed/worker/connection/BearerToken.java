package zisk.distributed.worker.connection;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * A coordinator token, sent as {@code authorization: Bearer <secret>} on every call of a channel.
 * The secret never appears in {@link #toString}, so it cannot reach a log by accident.
 */
public final class BearerToken extends CallCredentials {

  /** Longer than any secret `zisk token new` prints, and short enough for any header limit. */
  public static final int MAX_LENGTH = 512;

  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final String secret;

  private BearerToken(String secret) {
    this.secret = secret;
  }

  /** The token, or what is wrong with it (the message never repeats the secret). */
  public static BearerToken of(String secret) {
    problem(secret)
        .ifPresent(
            problem -> {
              throw new IllegalArgumentException(problem);
            });
    return new BearerToken(secret.strip());
  }

  public static Optional<String> problem(String secret) {
    String stripped = secret == null ? "" : secret.strip();
    if (stripped.isEmpty()) {
      return Optional.of("the token is empty");
    }
    if (stripped.length() > MAX_LENGTH) {
      return Optional.of("the token is longer than " + MAX_LENGTH + " characters");
    }
    if (!stripped.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      return Optional.of("the token must be printable ASCII without spaces");
    }
    return Optional.empty();
  }

  @Override
  public void applyRequestMetadata(
      RequestInfo requestInfo, Executor appExecutor, MetadataApplier applier) {
    Metadata headers = new Metadata();
    headers.put(AUTHORIZATION, "Bearer " + secret);
    applier.apply(headers);
  }

  @Override
  public String toString() {
    return "BearerToken[hidden]";
  }
}
