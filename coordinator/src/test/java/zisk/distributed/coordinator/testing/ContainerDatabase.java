package zisk.distributed.coordinator.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
    if (!dockerEndpointConfigured()) {
      return false; // at once, and without Testcontainers' error log of every strategy it tried
    }
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  /**
   * Whether any place Testcontainers looks for an engine is there: DOCKER_HOST, its own properties
   * file, or a socket of Docker (system, rootless, Desktop) or Podman.
   */
  private static boolean dockerEndpointConfigured() {
    if (System.getenv("DOCKER_HOST") != null) {
      return true;
    }
    Path home = Path.of(System.getProperty("user.home"));
    String runtime = System.getenv("XDG_RUNTIME_DIR");
    List<Path> places = new ArrayList<>();
    places.add(home.resolve(".testcontainers.properties"));
    places.add(Path.of("/var/run/docker.sock"));
    places.add(home.resolve(".docker/run/docker.sock"));
    places.add(home.resolve(".docker/desktop/docker.sock"));
    if (runtime != null) {
      places.add(Path.of(runtime, "docker.sock"));
      places.add(Path.of(runtime, "podman/podman.sock"));
    }
    return places.stream().anyMatch(Files::exists);
  }
}
