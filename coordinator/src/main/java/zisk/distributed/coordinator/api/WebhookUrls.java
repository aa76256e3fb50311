package zisk.distributed.coordinator.api;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.common.rules.SafeText;
import zisk.distributed.coordinator.config.WebhookConfig;

/**
 * Validates LaunchProof's {@code webhook_url}: an absolute http or https URL with a host, no
 * user-info, at most {@link #MAX_LENGTH} characters, and a host that {@code webhooks.allowed_hosts}
 * allows. The coordinator POSTs to it later, from its own network, so an operator can keep jobs
 * from aiming it at internal services.
 */
public final class WebhookUrls {

  private static final Logger log = LoggerFactory.getLogger(WebhookUrls.class);
  static final int MAX_LENGTH = 2048;

  private final List<String> allowedHosts;
  private final boolean signed;
  private final AtomicBoolean warnedUnsigned = new AtomicBoolean();

  public WebhookUrls(WebhookConfig config) {
    this.allowedHosts = config.allowedHosts();
    this.signed = config.secret().isPresent();
  }

  /** The URL to store, or empty when none was given; refuses a bad one with INVALID_ARGUMENT. */
  Optional<String> validate(String requested) {
    String url = requested.strip();
    if (url.isEmpty()) {
      return Optional.empty();
    }
    LaunchRequests.requirePrintable("webhook_url", url, MAX_LENGTH);
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw ApiException.invalidArgument("webhook_url is not a valid URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!uri.isAbsolute() || !(scheme.equals("http") || scheme.equals("https"))) {
      throw ApiException.invalidArgument("webhook_url must be an absolute http or https URL");
    }
    if (uri.getRawUserInfo() != null) {
      throw ApiException.invalidArgument("webhook_url must not carry user information");
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw ApiException.invalidArgument("webhook_url must name a host");
    }
    if (!allowed(host.toLowerCase(Locale.ROOT))) {
      throw ApiException.invalidArgument(
          "webhook_url's host "
              + "'"
              + SafeText.shorten(host)
              + "'"
              + " is not in this coordinator's webhooks.allowed_hosts");
    }
    if (!signed && warnedUnsigned.compareAndSet(false, true)) {
      log.warn(
          "A job was launched with a webhook_url but webhooks.secret is not set: deliveries go"
              + " unsigned, and receivers cannot tell them from forgeries");
    }
    return Optional.of(url);
  }

  private boolean allowed(String host) {
    if (allowedHosts.isEmpty()) {
      return true;
    }
    for (String pattern : allowedHosts) {
      if (pattern.startsWith("*.")
          ? host.endsWith(pattern.substring(1)) && host.length() > pattern.length() - 1
          : host.equals(pattern)) {
        return true;
      }
    }
    return false;
  }
}
