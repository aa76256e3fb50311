package zisk.distributed.coordinator;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version this coordinator was built as (from the Maven project version). */
public final class Version {

  private static final String VERSION = load();

  private Version() {}

  public static String get() {
    return VERSION;
  }

  private static String load() {
    try (InputStream in = Version.class.getResourceAsStream("/zisk-coordinator.properties")) {
      Properties properties = new Properties();
      if (in != null) {
        properties.load(in);
      }
      return properties.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
