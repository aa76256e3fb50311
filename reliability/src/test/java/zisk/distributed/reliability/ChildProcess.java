package zisk.distributed.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One child JVM running a {@code zisk} command ({@code java -cp <test classpath>
 * zisk.distributed.cli.Zisk ...}), its output appended to its own log file. Faults are delivered as
 * signals: SIGKILL, SIGSTOP and SIGCONT, SIGTERM.
 */
final class ChildProcess {

  /**
   * Small heaps and the C1 compiler only: six or seven of these share two cores and must start
   * fast.
   */
  private static final List<String> JVM_OPTIONS =
      List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData");

  private static final Duration EXIT_PATIENCE = Duration.ofSeconds(10);

  private final String name;
  private final Process process;
  private final Path log;
  private volatile boolean frozen;

  private ChildProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code zisk <args>} with {@code env} added to a copy of this JVM's environment from
   * which every {@code DISTRIBUTED_*} variable was removed, so the machine's settings cannot leak
   * in.
   */
  static ChildProcess start(String name, List<String> args, Map<String, String> env, Path log) {
    List<String> command = new ArrayList<>();
    command.add(javaBinary());
    command.addAll(JVM_OPTIONS);
    command.add("-cp");
    command.add(classPath());
    command.add("zisk.distributed.cli.Zisk");
    command.addAll(args);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder
        .environment()
        .keySet()
        .removeIf(
            key ->
                key.startsWith("DISTRIBUTED_")
                    || key.equals("CONFIG_PATH")
                    || key.startsWith("ZISK_"));
    builder.environment().putAll(env);
    try {
      Files.createDirectories(log.getParent());
      Files.writeString(
          log,
          "### " + name + ": " + String.join(" ", args) + " " + env + "\n",
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
      return new ChildProcess(name, builder.start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
  }

  /** Surefire runs tests from a manifest-only jar and puts the real test class path here. */
  private static String classPath() {
    String surefire = System.getProperty("surefire.test.class.path");
    return surefire != null && !surefire.isBlank()
        ? surefire
        : System.getProperty("java.class.path");
  }

  private static String javaBinary() {
    return ProcessHandle.current()
        .info()
        .command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  String name() {
    return name;
  }

  long pid() {
    return process.pid();
  }

  Path log() {
    return log;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  boolean isFrozen() {
    return frozen && process.isAlive();
  }

  /** SIGKILL, as a crash or an OOM killer would; waits until the process is gone. */
  void kill() {
    process.destroyForcibly();
    awaitExit();
  }

  /** SIGTERM, the operator's stop; SIGKILL if it has not exited within a few seconds. */
  void terminate() {
    thaw();
    process.destroy();
    try {
      if (!process.waitFor(EXIT_PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
        kill();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  /** SIGSTOP: the process keeps its sockets open but answers nothing. */
  void freeze() {
    signal("STOP");
    frozen = true;
  }

  /** SIGCONT after {@link #freeze()}. */
  void thaw() {
    if (frozen && process.isAlive()) {
      signal("CONT");
    }
    frozen = false;
  }

  private void signal(String signal) {
    try {
      Process kill =
          new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
              .inheritIO()
              .start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException(
            "kill -" + signal + " " + process.pid() + " (" + name + ") failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot signal " + name, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted signalling " + name, e);
    }
  }

  private void awaitExit() {
    try {
      if (!process.waitFor(EXIT_PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(
            name + " (pid " + process.pid() + ") did not exit after SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return name
        + " (pid "
        + process.pid()
        + (process.isAlive() ? frozen ? ", frozen" : "" : ", exited")
        + ")";
  }
}
