package zisk.distributed.coordinator.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How job outcomes are POSTed to the {@code webhook_url} a job was launched with ({@code
 * [webhooks]}). Retries back off exponentially from {@code initialBackoff}, doubling up to {@code
 * maxBackoff}, until {@code maxAttempts} attempts have been made.
 *
 * @param secret HMAC-SHA256 key of the X-Zisk-Signature header; empty sends deliveries unsigned
 * @param timeout how long one attempt may take, connection to the end of the answer
 * @param initialBackoff wait before the second attempt
 * @param maxBackoff longest wait between two attempts
 * @param maxAttempts attempts before a delivery is marked FAILED
 * @param allowedHosts the hosts a webhook_url may name, lower case; {@code *.example.com} allows
 *     every subdomain of example.com; empty allows any host
 */
public record WebhookConfig(
    Optional<String> secret,
    Duration timeout,
    Duration initialBackoff,
    Duration maxBackoff,
    int maxAttempts,
    List<String> allowedHosts) {

  public static final WebhookConfig DEFAULT =
      new WebhookConfig(
          Optional.empty(),
          Duration.ofSeconds(10),
          Duration.ofSeconds(1),
          Duration.ofSeconds(300),
          10,
          List.of());

  public WebhookConfig {
    allowedHosts = allowedHosts.stream().map(host -> host.toLowerCase(Locale.ROOT)).toList();
  }

  /** The wait after failed attempt number {@code attempt} (from 1): doubled each time, capped. */
  public Duration backoffAfter(int attempt) {
    int doublings = Math.min(Math.max(attempt - 1, 0), 30);
    Duration delay = initialBackoff.multipliedBy(1L << doublings);
    return delay.compareTo(maxBackoff) > 0 ? maxBackoff : delay;
  }

  /** Never the secret itself: records print their components. */
  @Override
  public String toString() {
    return "WebhookConfig[secret="
        + (secret.isPresent() ? "(set)" : "(none)")
        + ", timeout="
        + timeout
        + ", initialBackoff="
        + initialBackoff
        + ", maxBackoff="
        + maxBackoff
        + ", maxAttempts="
        + maxAttempts
        + ", allowedHosts="
        + allowedHosts
        + "]";
  }

  public WebhookConfig withSecret(Optional<String> newSecret) {
    return new WebhookConfig(
        newSecret, timeout, initialBackoff, maxBackoff, maxAttempts, allowedHosts);
  }
}
