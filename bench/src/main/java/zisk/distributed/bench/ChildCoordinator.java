package zisk.distributed.bench;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import zisk.distributed.api.v1.HealthCheckRequest;
import zisk.distributed.api.v1.StatusInfoRequest;
import zisk.distributed.api.v1.StatusInfoResponse;
import zisk.distributed.api.v1.SystemStatus;
import zisk.distributed.api.v1.SystemStatusRequest;
import zisk.distributed.api.v1.SystemStatusResponse;
import zisk.distributed.api.v1.ZiskDistributedApiGrpc;
import zisk.distributed.api.v1.ZiskDistributedApiGrpc.ZiskDistributedApiBlockingStub;

/**
 * The coordinator under test, in its own JVM ({@code zisk coordinator} on a free local port, {@code
 * -Xmx512m}, C1 only as {@code ./zisk coordinator} runs it, log level warn), so that its CPU time
 * and heap are its own and can be read from outside, as an operator would: CPU from /proc through
 * {@link ProcessHandle}, heap with the JDK's {@code jcmd} and {@code jstat}. Only its flags and its
 * gRPC API are used.
 */
final class ChildCoordinator implements AutoCloseable {

  /** The heap bound, and the JIT {@code ./zisk coordinator} uses (C1 only). */
  static final List<String> JVM_OPTIONS = List.of("-Xmx512m", "-XX:TieredStopAtLevel=1");

  private static final Duration START_DEADLINE = Duration.ofSeconds(120);
  private static final Duration STOP_PATIENCE = Duration.ofSeconds(15);

  private final Process process;
  private final int port;
  private final Path log;
  private final ManagedChannel channel;
  private boolean keepLog;
  private boolean closed;

  /** Ctrl-C on the bench must not leave a coordinator behind. */
  private final Thread onExit = new Thread(this::stop, "stop-bench-coordinator");

  private ChildCoordinator(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
    this.channel = ManagedChannelBuilder.forAddress(host(), port).usePlaintext().build();
    Runtime.getRuntime().addShutdownHook(onExit);
  }

  /** Starts the coordinator on {@code jdbcUrl} and waits until its HealthCheck answers SERVING. */
  static ChildCoordinator start(String jdbcUrl, List<String> extraJvmOptions) {
    int port = freePort();
    List<String> command = new ArrayList<>();
    command.add(javaBinary());
    command.addAll(JVM_OPTIONS);
    command.addAll(extraJvmOptions);
    command.addAll(
        List.of(
            "-cp",
            classPath(),
            CoordinatorMain.class.getName(),
            "--host",
            "127.0.0.1",
            "--port",
            String.valueOf(port),
            "--database-url",
            jdbcUrl,
            // Zero-work provers send made-up proofs: the bench measures the coordinator's own
            // share.
            "--proof-verifier",
            "none",
            "--log-level",
            "warn",
            "--log-format",
            "compact"));
    try {
      Path log = Files.createTempFile("zisk-bench-coordinator-", ".log");
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      // The coordinator's defaults, not this machine's: no DISTRIBUTED_* variable or config file
      // leaks in.
      builder
          .environment()
          .keySet()
          .removeIf(key -> key.startsWith("DISTRIBUTED_") || key.equals("CONFIG_PATH"));
      ChildCoordinator child = new ChildCoordinator(builder.start(), port, log);
      try {
        child.awaitServing();
      } catch (RuntimeException e) {
        child.close();
        throw e;
      }
      return child;
    } catch (IOException e) {
      throw new BenchException("cannot start the coordinator: " + e.getMessage(), e);
    }
  }

  private void awaitServing() {
    long deadline = System.nanoTime() + START_DEADLINE.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        fail("the coordinator exited with status " + process.exitValue() + " while starting");
      }
      try {
        String status =
            api()
                .withDeadlineAfter(1, TimeUnit.SECONDS)
                .healthCheck(HealthCheckRequest.getDefaultInstance())
                .getStatus();
        if ("SERVING".equals(status)) {
          return;
        }
        last = status;
      } catch (StatusRuntimeException e) {
        last = e.getStatus().getCode().toString();
      }
      Waits.pause(Duration.ofMillis(100));
    }
    fail(
        "the coordinator was not SERVING within "
            + START_DEADLINE.toSeconds()
            + " s (last answer: "
            + last
            + ")");
  }

  String host() {
    return "127.0.0.1";
  }

  int port() {
    return port;
  }

  long pid() {
    return process.pid();
  }

  /** A blocking stub on a channel of its own (not the provers'). */
  ZiskDistributedApiBlockingStub api() {
    return ZiskDistributedApiGrpc.newBlockingStub(channel);
  }

  /** An async stub on the same channel, for launches made from prover callbacks. */
  ZiskDistributedApiGrpc.ZiskDistributedApiStub asyncApi() {
    return ZiskDistributedApiGrpc.newStub(channel);
  }

  /** {@code zisk-coordinator 0.1.0}, from StatusInfo. */
  String version() {
    StatusInfoResponse info =
        api()
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .statusInfo(StatusInfoRequest.getDefaultInstance());
    return info.getServiceName() + " " + info.getVersion();
  }

  /** Cluster-wide counts (provers, active jobs) from SystemStatus. */
  SystemStatus systemStatus() {
    SystemStatusResponse response =
        api()
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .systemStatus(SystemStatusRequest.getDefaultInstance());
    if (response.hasError()) {
      throw new BenchException(
          "SystemStatus answered "
              + response.getError().getCode()
              + ": "
              + response.getError().getMessage());
    }
    return response.getStatus();
  }

  /** Throws a {@link BenchException} naming the log if the coordinator is gone. */
  void checkAlive() {
    if (!process.isAlive()) {
      fail("the coordinator exited with status " + process.exitValue());
    }
  }

  /**
   * User plus system CPU time of the whole coordinator process (all its threads: gRPC, JDBC, GC,
   * JIT).
   */
  Duration cpuTime() {
    checkAlive();
    return process
        .toHandle()
        .info()
        .totalCpuDuration()
        .orElseThrow(() -> new BenchException("this system does not report a process's CPU time"));
  }

  /**
   * Heap after a full GC ({@code jcmd GC.run}), from {@code jstat -gc} (used survivor, eden and old
   * space), and the max heap.
   */
  Heap heapAfterGc() {
    checkAlive();
    String pid = Long.toString(pid());
    run(jdkTool("jcmd"), pid, "GC.run");
    String[] gc = run(jdkTool("jstat"), "-gc", pid).trim().split("\n");
    String[] names = gc[0].trim().split("\\s+");
    String[] values = gc[gc.length - 1].trim().split("\\s+");
    double usedKb = 0;
    for (int i = 0; i < names.length && i < values.length; i++) {
      if (List.of("S0U", "S1U", "EU", "OU").contains(names[i])) {
        usedKb +=
            Double.parseDouble(values[i].replace(',', '.')); // some locales print a decimal comma
      }
    }
    Matcher max =
        Pattern.compile("MaxHeapSize=(\\d+)").matcher(run(jdkTool("jcmd"), pid, "VM.flags"));
    return new Heap((long) (usedKb * 1024), max.find() ? Long.parseLong(max.group(1)) : -1);
  }

  /**
   * Resident memory of the process (heap, metaspace, thread stacks, direct buffers), from /proc; -1
   * where there is none.
   */
  long residentMib() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) >> 10;
        }
      }
    } catch (IOException | UncheckedIOException | NumberFormatException e) {
      // not Linux, or the process is gone
    }
    return -1;
  }

  record Heap(long usedBytes, long maxBytes) {

    long usedMib() {
      return usedBytes >> 20;
    }

    long maxMib() {
      return maxBytes >> 20;
    }
  }

  private String run(String... command) {
    try {
      Process tool = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(tool.getInputStream().readAllBytes());
      if (!tool.waitFor(30, TimeUnit.SECONDS) || tool.exitValue() != 0) {
        throw new BenchException(String.join(" ", command) + " failed: " + output.trim());
      }
      return output;
    } catch (IOException e) {
      throw new BenchException(
          "cannot run " + command[0] + " (the heap figure needs a JDK): " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted running " + command[0], e);
    }
  }

  /** The last lines of the coordinator's log, for a failure message. */
  String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read " + log + ")";
    }
  }

  private void fail(String message) {
    keepLog = true;
    throw new BenchException(message + "; its log is " + log + ", ending with:\n" + logTail(20));
  }

  /**
   * SIGTERM (the operator's stop), SIGKILL if it has not exited after a while; the log is deleted
   * unless something failed.
   */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(onExit);
    } catch (IllegalStateException e) {
      // already shutting down: the hook stops it
    }
    stop();
  }

  private synchronized void stop() {
    if (closed) {
      return;
    }
    closed = true;
    channel.shutdownNow();
    process.destroy();
    try {
      if (!process.waitFor(STOP_PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(STOP_PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    if (!keepLog) {
      try {
        Files.deleteIfExists(log);
      } catch (IOException e) {
        // a temporary file; best effort
      }
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new BenchException("cannot find a free port: " + e.getMessage(), e);
    }
  }

  /**
   * Surefire runs tests from a manifest-only jar and puts the real class path in its own property.
   */
  private static String classPath() {
    String surefire = System.getProperty("surefire.test.class.path");
    return surefire != null && !surefire.isBlank()
        ? surefire
        : System.getProperty("java.class.path");
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static String jdkTool(String name) {
    Path tool = Path.of(System.getProperty("java.home"), "bin", name);
    return Files.isExecutable(tool) ? tool.toString() : name;
  }
}
