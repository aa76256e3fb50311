package zisk.distributed.coordinator.scheduling;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import zisk.distributed.common.rules.SafeText;
import zisk.distributed.coordinator.store.WebhookDao.Delivery;

/**
 * Sends one webhook attempt: a POST of the stored JSON body, with the delivery's id as {@code
 * Idempotency-Key} and, with a secret, {@code X-Zisk-Signature: sha256=HEX}, the HMAC-SHA256 of
 * {@code TIMESTAMP + "." + BODY} where TIMESTAMP is the {@code X-Zisk-Timestamp} header (Unix
 * seconds). Redirects are never followed (a 3xx is a failed attempt); the answer's body is read and
 * dropped, never kept, and the whole attempt is bounded by the timeout.
 */
final class WebhookSender {

  static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  static final String SIGNATURE = "X-Zisk-Signature";
  static final String TIMESTAMP = "X-Zisk-Timestamp";
  static final String ATTEMPT = "X-Zisk-Delivery-Attempt";
  static final int MAX_ERROR = 500;

  /** What one attempt got: an HTTP status (null when none came back) and, unless 2xx, why. */
  record Outcome(Integer status, String error) {
    boolean delivered() {
      return status != null && status >= 200 && status < 300;
    }
  }

  private final HttpClient client;
  private final Optional<SecretKeySpec> key;
  private final Duration timeout;
  private final Clock clock;

  WebhookSender(Optional<String> secret, Duration timeout, Clock clock) {
    this.client =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(timeout)
            .build();
    this.key =
        secret.map(text -> new SecretKeySpec(text.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    this.timeout = timeout;
    this.clock = clock;
  }

  CompletableFuture<Outcome> send(Delivery delivery) {
    byte[] body = delivery.body().getBytes(StandardCharsets.UTF_8);
    HttpRequest.Builder request;
    try {
      request =
          HttpRequest.newBuilder(URI.create(delivery.url()))
              .timeout(timeout)
              .header("Content-Type", "application/json")
              .header(IDEMPOTENCY_KEY, delivery.deliveryId().toString())
              .header(ATTEMPT, Integer.toString(delivery.attempt()))
              .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(new Outcome(null, "unusable URL"));
    }
    if (key.isPresent()) {
      String timestamp = Long.toString(clock.instant().getEpochSecond());
      request.header(TIMESTAMP, timestamp).header(SIGNATURE, "sha256=" + sign(timestamp, body));
    }
    return client
        .sendAsync(request.build(), HttpResponse.BodyHandlers.discarding())
        // The request timeout covers the wait for the headers; this bounds the body too.
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle(
            (response, failure) -> {
              if (failure == null) {
                int status = response.statusCode();
                return new Outcome(status, status / 100 == 2 ? null : "HTTP " + status);
              }
              return new Outcome(null, describe(failure));
            });
  }

  private String describe(Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    if (cause instanceof TimeoutException || cause instanceof java.net.http.HttpTimeoutException) {
      return "timed out after " + timeout.toSeconds() + " s";
    }
    String message = cause.getMessage() == null ? "" : ": " + cause.getMessage();
    return SafeText.clean(cause.getClass().getSimpleName() + message, MAX_ERROR);
  }

  String sign(String timestamp, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key.orElseThrow());
      mac.update(timestamp.getBytes(StandardCharsets.US_ASCII));
      mac.update((byte) '.');
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }
}
