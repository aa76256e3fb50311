package zisk.distributed.reliability;

import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import zisk.distributed.coordinator.testing.TcpProxy;

/**
 * A proving cluster of real processes: an embedded PostgreSQL that can be restarted, several
 * coordinator JVMs sharing it, and worker JVMs spread over the coordinators (each with every
 * coordinator in its failover list, in a rotated order). Timings are short so that faults are
 * detected in seconds.
 *
 * <p>Each coordinator reaches PostgreSQL, and each worker each coordinator, through a {@link
 * TcpProxy} of its own, so that one link can be cut (connections closed) or silenced (packets
 * dropped, nothing closed) while the rest of the cluster carries on.
 *
 * <p>Its waits treat a probe that throws a RuntimeException (the database or a coordinator is down
 * in the middle of a fault) as "not yet", and report the last one if the deadline passes; an
 * AssertionError (a process exited) fails at once.
 */
final class FaultCluster implements AutoCloseable {

  /** JVM start, schema check and registration on a busy two-core machine. */
  static final Duration START_DEADLINE = Duration.ofSeconds(90);

  static final int HEARTBEAT_INTERVAL_SECONDS = 1;
  static final int HEARTBEAT_TIMEOUT_SECONDS = 4;
  static final int RECONNECT_GRACE_SECONDS = 4;

  /**
   * Coordinators judge each other dead after this long without a heartbeat of their row: short, yet
   * well above the stalls of a JVM starting on a busy two-core machine (seen: 8 s).
   */
  static final int INSTANCE_LIVENESS_SECONDS = 10;

  /** Makes PROVE and AGGREGATE (tens of milliseconds) last long enough to be hit by a fault. */
  static final int PHASE_DELAY_MILLIS = 600;

  private final Path logDir;
  private final RestartablePostgres postgres;
  private final ClusterDatabase database;
  private final ClusterClient client;
  private final Map<String, Integer> coordinatorPorts = new LinkedHashMap<>();
  private final Map<String, ChildProcess> coordinators = new LinkedHashMap<>();
  private final Map<String, List<String>> workerCoordinators = new LinkedHashMap<>();
  private final Map<String, ChildProcess> workers = new LinkedHashMap<>();
  private final Map<String, TcpProxy> databaseLinks = new LinkedHashMap<>();
  private final Map<String, List<TcpProxy>> workerLinks = new LinkedHashMap<>();
  private final java.util.Set<String> cutFromDatabase = new java.util.HashSet<>();
  private final Map<String, Integer> incarnations = new LinkedHashMap<>();
  private final List<Path> logs = new CopyOnWriteArrayList<>();

  /**
   * If the test JVM ends before {@link #close()} (a crash, Ctrl-C), the children must not outlive
   * it.
   */
  private final Thread closeOnExit = new Thread(this::close, "close-fault-cluster");

  private FaultCluster(Path logDir, RestartablePostgres postgres, List<String> coordinatorNames) {
    Runtime.getRuntime().addShutdownHook(closeOnExit);
    this.logDir = logDir;
    this.postgres = postgres;
    this.database = new ClusterDatabase(postgres.jdbcUrl());
    for (String name : coordinatorNames) {
      coordinatorPorts.put(name, RestartablePostgres.freePort());
    }
    this.client = new ClusterClient(coordinatorPorts);
  }

  /**
   * Starts PostgreSQL, {@code coordinatorCount} coordinators (the first alone, so that it creates
   * the schema) and {@code workerCount} workers, and waits until every coordinator serves and every
   * worker is registered.
   */
  /** Where the workers read inputs from (their only inputs directory), under the work dir. */
  static Path inputsDir(Path workDir) {
    return workDir.resolve("reliability-inputs");
  }

  static FaultCluster start(Path workDir, int coordinatorCount, int workerCount) {
    Path logDir = workDir.resolve("reliability-logs");
    RestartablePostgres.deleteRecursively(logDir);
    RestartablePostgres postgres =
        RestartablePostgres.startFresh(
            workDir.resolve("reliability-postgres"), logDir.resolve("postgres.log"));
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= coordinatorCount; i++) {
      names.add("c" + i);
    }
    FaultCluster cluster = new FaultCluster(logDir, postgres, names);
    try {
      cluster.startCoordinator(names.get(0));
      cluster.awaitServing(names.get(0));
      names.stream().skip(1).forEach(cluster::startCoordinator);
      names.stream().skip(1).forEach(cluster::awaitServing);
      for (int i = 0; i < workerCount; i++) {
        List<String> order = new ArrayList<>();
        for (int k = 0; k < coordinatorCount; k++) {
          order.add(names.get((i + k) % coordinatorCount));
        }
        cluster.workerCoordinators.put("w" + (i + 1), order);
      }
      cluster.workerCoordinators.keySet().forEach(cluster::startWorker);
      cluster.awaitWorkersConnected(cluster.workerCoordinators.keySet());
      return cluster;
    } catch (RuntimeException | AssertionError e) {
      cluster.close();
      throw e;
    }
  }

  ClusterClient client() {
    return client;
  }

  ClusterDatabase database() {
    return database;
  }

  RestartablePostgres postgres() {
    return postgres;
  }

  List<String> coordinatorNames() {
    return List.copyOf(coordinatorPorts.keySet());
  }

  List<String> workerIds() {
    return List.copyOf(workerCoordinators.keySet());
  }

  /** The coordinators a worker knows, in the order it tries them. */
  List<String> coordinatorsOf(String proverId) {
    return workerCoordinators.get(proverId);
  }

  /** The coordinator serving on this port. */
  String coordinatorOnPort(int port) {
    return coordinatorPorts.entrySet().stream()
        .filter(entry -> entry.getValue() == port)
        .map(Map.Entry::getKey)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no coordinator of this suite serves port " + port));
  }

  // --- coordinators ----------------------------------------------------------------------------

  synchronized void startCoordinator(String name) {
    int port = coordinatorPorts.get(name);
    TcpProxy databaseLink =
        databaseLinks.computeIfAbsent(name, n -> new TcpProxy("127.0.0.1", postgres.port()));
    String jdbcUrl =
        postgres.jdbcUrl().replace(":" + postgres.port() + "/", ":" + databaseLink.port() + "/");
    Map<String, String> env =
        Map.of(
            "DISTRIBUTED_COORDINATOR_LIVENESS_SECONDS", String.valueOf(INSTANCE_LIVENESS_SECONDS),
            "DISTRIBUTED_HEARTBEAT_INTERVAL_SECONDS", String.valueOf(HEARTBEAT_INTERVAL_SECONDS),
            "DISTRIBUTED_HEARTBEAT_TIMEOUT_SECONDS", String.valueOf(HEARTBEAT_TIMEOUT_SECONDS),
            "DISTRIBUTED_RECONNECT_GRACE_SECONDS", String.valueOf(RECONNECT_GRACE_SECONDS),
            "DISTRIBUTED_LOGGING_FORMAT", "compact",
            // The same inputs directory as the workers': the verifier reads each job's input there.
            "DISTRIBUTED_INPUTS_DIRS", inputsDir(logDir.getParent()).toAbsolutePath().toString());
    coordinators.put(
        name,
        ChildProcess.start(
            name,
            List.of(
                "coordinator",
                "--host",
                "127.0.0.1",
                "--port",
                String.valueOf(port),
                "--database-url",
                jdbcUrl),
            env,
            nextLog(name)));
  }

  /** Waits until the coordinator answers gRPC health with SERVING. */
  void awaitServing(String name) {
    ChildProcess process = coordinators.get(name);
    await(name + " serving on port " + coordinatorPorts.get(name))
        .atMost(START_DEADLINE)
        .ignoreExceptionsInstanceOf(RuntimeException.class)
        .until(
            () -> {
              if (!process.isAlive()) {
                throw new AssertionError(name + " exited during start-up; see " + process.log());
              }
              client.resetBackoff(name);
              return client.serving(name);
            });
  }

  /** SIGKILL: the coordinator vanishes mid-stream, as in a crash. */
  synchronized void killCoordinator(String name) {
    coordinators.get(name).kill();
  }

  boolean coordinatorAlive(String name) {
    ChildProcess process = coordinators.get(name);
    return process != null && process.isAlive();
  }

  // --- workers ---------------------------------------------------------------------------------

  synchronized void startWorker(String proverId) {
    List<TcpProxy> links =
        workerLinks.computeIfAbsent(
            proverId,
            id ->
                workerCoordinators.get(id).stream()
                    .map(name -> new TcpProxy("127.0.0.1", coordinatorPorts.get(name)))
                    .toList());
    String urls =
        links.stream()
            .map(link -> "http://127.0.0.1:" + link.port())
            .collect(Collectors.joining(","));
    Map<String, String> env =
        Map.of(
            "DISTRIBUTED_RECONNECT_INTERVAL_SECONDS",
            "1",
            "DISTRIBUTED_MAX_RECONNECT_INTERVAL_SECONDS",
            "2",
            "DISTRIBUTED_HEARTBEAT_TIMEOUT_SECONDS",
            String.valueOf(HEARTBEAT_TIMEOUT_SECONDS),
            "DISTRIBUTED_LOGGING_FORMAT",
            "compact",
            "ZISK_REFERENCE_PHASE_DELAY_MS",
            String.valueOf(PHASE_DELAY_MILLIS),
            "DISTRIBUTED_INPUTS_DIRS",
            inputsDir(logDir.getParent()).toAbsolutePath().toString());
    workers.put(
        proverId,
        ChildProcess.start(
            proverId,
            List.of("worker", "--url", urls, "--prover-id", proverId, "--compute-units", "1"),
            env,
            nextLog(proverId)));
  }

  /** kill -9 of the worker's JVM. */
  synchronized void killWorker(String proverId) {
    workers.get(proverId).kill();
  }

  /**
   * SIGSTOP: its TCP connection stays open, but it sends nothing (no heartbeat acknowledgements).
   */
  synchronized void freezeWorker(String proverId) {
    workers.get(proverId).freeze();
  }

  synchronized void thawWorker(String proverId) {
    workers.get(proverId).thaw();
  }

  /**
   * Drops every packet between the worker and every coordinator, closing nothing: its streams stay
   * open on both ends, and its attempts to reconnect hang.
   */
  synchronized void silenceWorker(String proverId) {
    workerLinks.get(proverId).forEach(TcpProxy::silence);
  }

  /**
   * The worker's network heals: the connections that lived through the silence are closed (as their
   * peers' timeouts would) and new ones get through.
   */
  synchronized void healWorker(String proverId) {
    workerLinks.get(proverId).forEach(TcpProxy::heal);
  }

  /**
   * Cuts the coordinator off from PostgreSQL (its connections closed, new ones refused) while its
   * workers still reach it.
   */
  synchronized void cutFromDatabase(String name) {
    if (cutFromDatabase.add(name)) {
      databaseLinks.get(name).cut();
    }
  }

  synchronized void reconnectToDatabase(String name) {
    if (cutFromDatabase.remove(name)) {
      databaseLinks.get(name).restore();
    }
  }

  /** Waits until each of these provers has a stream on some coordinator (IDLE or BUSY). */
  void awaitWorkersConnected(Collection<String> proverIds) {
    await("workers " + proverIds + " connected")
        .atMost(START_DEADLINE)
        .ignoreExceptionsInstanceOf(RuntimeException.class)
        .until(
            () -> {
              for (String proverId : proverIds) {
                ChildProcess process = workers.get(proverId);
                if (process != null && !process.isAlive()) {
                  throw new AssertionError(proverId + " exited; see " + process.log());
                }
              }
              return database.provers();
            },
            rows ->
                proverIds.stream()
                    .allMatch(id -> rows.containsKey(id) && rows.get(id).connected()));
  }

  // --- the whole cluster -----------------------------------------------------------------------

  /**
   * Brings the cluster back to full strength after a scenario (or a failed one): PostgreSQL up,
   * frozen workers thawed, dead processes restarted, every coordinator serving, every worker
   * connected, and no job of an earlier scenario still in flight.
   */
  void ensureWhole() {
    postgres.start();
    List.copyOf(cutFromDatabase).forEach(this::reconnectToDatabase);
    workerLinks.values().stream()
        .flatMap(List::stream)
        .filter(TcpProxy::isSilent)
        .forEach(TcpProxy::heal);
    for (String name : coordinatorNames()) {
      if (!coordinatorAlive(name)) {
        startCoordinator(name);
      }
    }
    for (String proverId : workerIds()) {
      ChildProcess process = workers.get(proverId);
      if (process == null || !process.isAlive()) {
        startWorker(proverId);
      } else if (process.isFrozen()) {
        process.thaw();
      }
    }
    coordinatorNames().forEach(this::awaitServing);
    awaitWorkersConnected(workerIds());
    // Only a failed scenario leaves jobs behind; they must not take provers from the next one.
    for (java.util.UUID leftover : database.activeJobs()) {
      client.cancel(leftover.toString(), "left over by a failed scenario");
    }
    await("no job of an earlier scenario in flight")
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptionsInstanceOf(RuntimeException.class)
        .until(database::activeJobs, List::isEmpty);
    awaitWorkersConnected(workerIds());
  }

  /** Every log file this cluster wrote, for a failure report. */
  List<Path> logs() {
    List<Path> all = new ArrayList<>(logs);
    all.add(logDir.resolve("postgres.log"));
    return all;
  }

  /** Kills every child process (SIGKILL; frozen ones too), then stops PostgreSQL. Idempotent. */
  @Override
  public synchronized void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(closeOnExit);
    } catch (IllegalStateException e) {
      // the JVM is exiting: this is the hook running
    }
    for (ChildProcess process : workers.values()) {
      killQuietly(process);
    }
    for (ChildProcess process : coordinators.values()) {
      killQuietly(process);
    }
    workerLinks.values().stream().flatMap(List::stream).forEach(TcpProxy::close);
    databaseLinks.values().forEach(TcpProxy::close);
    client.close();
    database.close();
    try {
      postgres.close();
    } catch (RuntimeException e) {
      System.err.println("could not stop PostgreSQL: " + e.getMessage());
    }
  }

  private static void killQuietly(ChildProcess process) {
    try {
      process.kill();
    } catch (RuntimeException e) {
      System.err.println("could not kill " + process + ": " + e.getMessage());
    }
  }

  /** c1.1.log, c1.2.log after its first restart, and so on. */
  private Path nextLog(String name) {
    int incarnation = incarnations.merge(name, 1, Integer::sum);
    Path log = logDir.resolve(name + "." + incarnation + ".log");
    logs.add(log);
    return log;
  }
}
