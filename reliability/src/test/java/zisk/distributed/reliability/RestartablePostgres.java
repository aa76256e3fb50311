package zisk.distributed.reliability;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The suite's own PostgreSQL: an embedded server on a fixed port with its data directory under
 * {@code target/}, which the suite can stop and start again for real (same port, same data).
 *
 * <p>It deliberately ignores {@code ZISK_TEST_DATABASE_URL}: restarting the machine's shared
 * server, which other builds may be using, is not this suite's to do.
 */
final class RestartablePostgres implements AutoCloseable {

  private final Path dataDir;
  private final Path log;
  private final int port;
  private EmbeddedPostgres server;

  private RestartablePostgres(Path dataDir, Path log, int port) {
    this.dataDir = dataDir;
    this.log = log;
    this.port = port;
  }

  /** A fresh server: the data directory is emptied first, then initialized. */
  static RestartablePostgres startFresh(Path dataDir, Path log) {
    deleteRecursively(dataDir);
    RestartablePostgres postgres = new RestartablePostgres(dataDir, log, freePort());
    postgres.start();
    return postgres;
  }

  /** Starts the server on the same port and data directory (after {@link #stop()}). */
  synchronized void start() {
    if (server != null) {
      return;
    }
    try {
      Files.createDirectories(dataDir);
      Files.createDirectories(log.getParent());
      server =
          EmbeddedPostgres.builder()
              .setPort(port)
              .setDataDirectory(dataDir)
              .setCleanDataDirectory(false)
              .setRegisterShutdownHook(false)
              .setPGStartupWait(Duration.ofSeconds(60))
              .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot start PostgreSQL on port " + port + " in " + dataDir, e);
    }
  }

  /** Stops the server (pg_ctl stop, fast mode: every open connection is cut). */
  synchronized void stop() {
    if (server == null) {
      return;
    }
    try {
      server.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stop PostgreSQL on port " + port, e);
    } finally {
      server = null;
    }
  }

  synchronized boolean isRunning() {
    return server != null;
  }

  int port() {
    return port;
  }

  String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
  }

  @Override
  public void close() {
    stop();
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clear " + dir, e);
    }
  }
}
