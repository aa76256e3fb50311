package zisk.distributed.coordinator.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import zisk.distributed.common.config.ConfigException;

/**
 * Accepts a database URL as operators write it: a JDBC URL ({@code
 * jdbc:postgresql://host:5432/db?user=u}) or a libpq-style URL ({@code
 * postgresql://user:secret@host:5432/db}), and answers the JDBC form.
 */
public final class DatabaseUrls {

  private DatabaseUrls() {}

  public static String toJdbc(String url, String origin) {
    String trimmed = url.trim();
    if (trimmed.startsWith("jdbc:postgresql:")) {
      return trimmed;
    }
    if (!trimmed.startsWith("postgresql://") && !trimmed.startsWith("postgres://")) {
      throw new ConfigException(
          "invalid database.url (from "
              + origin
              + "): expected jdbc:postgresql://host:5432/db?user=u or postgresql://user@host:5432/db");
    }
    try {
      URI uri = new URI(trimmed);
      if (uri.getHost() == null) {
        throw new ConfigException("invalid database.url (from " + origin + "): no host");
      }
      StringBuilder jdbc = new StringBuilder("jdbc:postgresql://").append(uri.getHost());
      if (uri.getPort() > 0) {
        jdbc.append(':').append(uri.getPort());
      }
      String path =
          uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/postgres" : uri.getRawPath();
      jdbc.append(path);
      String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
      String userInfo = uri.getRawUserInfo();
      if (userInfo != null) {
        int colon = userInfo.indexOf(':');
        String user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
        query = append(query, "user=" + encode(user));
        if (colon >= 0) {
          query = append(query, "password=" + encode(decode(userInfo.substring(colon + 1))));
        }
      }
      if (!query.isEmpty()) {
        jdbc.append('?').append(query);
      }
      return jdbc.toString();
    } catch (URISyntaxException e) {
      throw new ConfigException("invalid database.url (from " + origin + "): " + e.getMessage());
    }
  }

  /** The URL with any password masked, for logs. */
  public static String redact(String jdbcUrl) {
    return jdbcUrl.replaceAll("(?i)(password=)[^&]*", "$1***");
  }

  private static String append(String query, String parameter) {
    return query.isEmpty() ? parameter : query + "&" + parameter;
  }

  private static String decode(String text) {
    return URLDecoder.decode(text, StandardCharsets.UTF_8);
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }
}
