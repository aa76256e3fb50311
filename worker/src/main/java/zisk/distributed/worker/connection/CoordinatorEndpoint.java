package zisk.distributed.worker.connection;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * One coordinator address, parsed from a URL.
 *
 * <p>Accepted spellings: {@code http://host:port} (plaintext), {@code https://host:port} (TLS with
 * the default trust store), and a bare {@code host:port} (plaintext). Without a port, http means 80
 * and https 443. IPv6 hosts go in brackets: {@code http://[::1]:8080}.
 *
 * @param host host name or address, without brackets
 * @param port TCP port
 * @param tls whether the channel uses TLS
 */
public record CoordinatorEndpoint(String host, int port, boolean tls) {

  public CoordinatorEndpoint {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("coordinator host is empty");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("coordinator port " + port + " is outside 1..65535");
    }
  }

  /**
   * Parses one URL.
   *
   * @throws IllegalArgumentException with a message naming the URL and what is wrong with it
   */
  public static CoordinatorEndpoint parse(String url) {
    String text = url == null ? "" : url.trim();
    if (text.isEmpty()) {
      throw new IllegalArgumentException("empty coordinator URL");
    }
    boolean hasScheme = text.contains("://");
    URI uri;
    try {
      uri = new URI(hasScheme ? text : "http://" + text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("'" + text + "' is not a URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
    boolean tls =
        switch (scheme) {
          case "http" -> false;
          case "https" -> true;
          default ->
              throw new IllegalArgumentException(
                  "'" + text + "': scheme must be http:// (plaintext) or https:// (TLS)");
        };
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException(
          "'" + text + "' has no host; expected http://host:port or host:port");
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    String path = uri.getRawPath();
    if ((path != null && !path.isEmpty() && !path.equals("/"))
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null
        || uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException("'" + text + "': only scheme, host and port are allowed");
    }
    int port = uri.getPort();
    if (port == -1) {
      if (!hasScheme) {
        throw new IllegalArgumentException(
            "'" + text + "' has no port; expected host:port or http://host:port");
      }
      port = tls ? 443 : 80;
    }
    return new CoordinatorEndpoint(host, port, tls);
  }

  /** The URL form, for logs and messages. */
  @Override
  public String toString() {
    String shownHost = host.contains(":") ? "[" + host + "]" : host;
    return (tls ? "https://" : "http://") + shownHost + ":" + port;
  }
}
