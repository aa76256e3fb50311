package zisk.distributed.coordinator.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import zisk.distributed.common.config.ConfigException;
import zisk.distributed.common.config.ConfigKey;
import zisk.distributed.common.config.LayeredConfig;

/** The {@code [webhooks]} keys: their names in each source, defaults and validation. */
final class WebhookSettings {

  static final String SECRET = "webhooks.secret";
  static final String ALLOWED_HOSTS = "webhooks.allowed_hosts";

  // A host name (letters, digits, hyphens, dots) or an IP literal, optionally after "*.".
  private static final Pattern HOST = Pattern.compile("(\\*\\.)?[A-Za-z0-9._:\\[\\]-]{1,253}");

  static final List<ConfigKey> KEYS =
      List.of(
          new ConfigKey(
              SECRET,
              "DISTRIBUTED_WEBHOOKS_SECRET",
              "HMAC-SHA256 key that signs webhook deliveries (X-Zisk-Signature); unset sends them"
                  + " unsigned"),
          new ConfigKey(
              "webhooks.timeout_seconds",
              "DISTRIBUTED_WEBHOOKS_TIMEOUT_SECONDS",
              "how long one webhook delivery attempt may take (default 10)"),
          new ConfigKey(
              "webhooks.initial_backoff_seconds",
              "DISTRIBUTED_WEBHOOKS_INITIAL_BACKOFF_SECONDS",
              "wait before retrying a failed webhook delivery, doubled at each retry (default 1)"),
          new ConfigKey(
              "webhooks.max_backoff_seconds",
              "DISTRIBUTED_WEBHOOKS_MAX_BACKOFF_SECONDS",
              "longest wait between two webhook delivery attempts (default 300)"),
          new ConfigKey(
              "webhooks.max_attempts",
              "DISTRIBUTED_WEBHOOKS_MAX_ATTEMPTS",
              "attempts before a webhook delivery is marked failed (default 10)"),
          new ConfigKey(
              ALLOWED_HOSTS,
              "DISTRIBUTED_WEBHOOKS_ALLOWED_HOSTS",
              "host names a webhook_url may name; *.example.com allows its subdomains (a TOML"
                  + " array; comma-separated in the environment); empty allows any host"));

  private WebhookSettings() {}

  static WebhookConfig resolve(LayeredConfig config) {
    WebhookConfig defaults = WebhookConfig.DEFAULT;
    Optional<String> secret =
        config.get(SECRET).map(LayeredConfig.Value::text).filter(text -> !text.isEmpty());
    Duration initial =
        config.seconds("webhooks.initial_backoff_seconds", defaults.initialBackoff(), 1, 86_400);
    Duration max = config.seconds("webhooks.max_backoff_seconds", defaults.maxBackoff(), 1, 86_400);
    if (max.compareTo(initial) < 0) {
      throw new ConfigException(
          "webhooks.max_backoff_seconds ("
              + max.toSeconds()
              + ") must be at least webhooks.initial_backoff_seconds ("
              + initial.toSeconds()
              + ")");
    }
    return new WebhookConfig(
        secret,
        config.seconds("webhooks.timeout_seconds", defaults.timeout(), 1, 600),
        initial,
        max,
        config.integer("webhooks.max_attempts", defaults.maxAttempts(), 1, 100),
        allowedHosts(config));
  }

  private static List<String> allowedHosts(LayeredConfig config) {
    List<String> hosts = new ArrayList<>();
    for (String word : config.words(ALLOWED_HOSTS)) {
      for (String host : word.split(",")) {
        String trimmed = host.strip();
        if (trimmed.isEmpty()) {
          continue;
        }
        if (!HOST.matcher(trimmed).matches()) {
          throw LayeredConfig.invalid(
              ALLOWED_HOSTS,
              config.get(ALLOWED_HOSTS).orElseThrow(),
              "not a host name or *.domain pattern");
        }
        hosts.add(trimmed);
      }
    }
    return List.copyOf(hosts);
  }
}
