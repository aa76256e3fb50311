package zisk.distributed.coordinator.testing;

import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A PostgreSQL 17 server in a container, for tests on machines where a Docker engine answers and
 * {@code ZISK_TEST_DATABASE_URL} is not set. Started at most once per JVM; Testcontainers removes
 * it when the JVM exits.
 */
final class ContainerDatabase {

  private static final Logger log = LoggerFactory.getLogger(ContainerDatabase.class);

  /** The image, as docker-compose.yml runs it. */
  static final String IMAGE = "postgres:17";

  /** Set to {@code false} to skip the container even where Docker answers. */
  static final String SWITCH = "ZISK_TEST_TESTCONTAINERS";

  private ContainerDatabase() {}

  /**
   * A superuser JDBC URL of a started container, or empty when Docker is not available (checked
   * once; without an engine this returns at once).
   */
  static Optional<String> start() {
    if ("false".equalsIgnoreCase(System.getenv(SWITCH)) || !dockerAvailable()) {
      return Optional.empty();
    }
    @SuppressWarnings("resource") // lives as long as the JVM; Testcontainers' reaper removes it
    PostgreSQLContainer<?> container =
        new PostgreSQLContainer<>(DockerImageName.parse(IMAGE))
            .withDatabaseName("postgres")
            .withUsername("postgres")
            .withPassword("postgres");
    container.start();
    log.info("tests use PostgreSQL in container {}", container.getContainerId());
    String url = container.getJdbcUrl();
    return Optional.of(
        url
            + (url.contains("?") ? "&" : "?")
            + "user="
            + container.getUsername()
            + "&password="
            + container.getPassword());
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }
}
