package zisk.distributed.worker.prover.nativeprover;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a program in its own process group and kills it with everything it started (contract,
 * "Replacing a process"): SIGTERM to the group; after the kill grace, SIGKILL to the group and to
 * every descendant still alive, including one that left the group with a session of its own.
 *
 * <p>Java cannot create a process group, so the program is started through {@code setsid}, which
 * makes it the leader of a new session and group (its pid is the group's id). Where {@code setsid}
 * does not exist, each process is signalled on its own. Descendants are collected before anything
 * is killed: once a parent dies its children move to init and are no longer its descendants.
 */
final class ProcessTree {

  private static final Logger log = LoggerFactory.getLogger(ProcessTree.class);
  private static final Duration SIGNAL_PATIENCE = Duration.ofSeconds(5);
  private static final Duration EXIT_PATIENCE = Duration.ofSeconds(10);
  private static final Optional<String> SETSID =
      List.of("/usr/bin/setsid", "/bin/setsid").stream()
          .filter(path -> Files.isExecutable(Path.of(path)))
          .findFirst();

  private ProcessTree() {}

  /** The argument vector that runs {@code command} in a new process group, where possible. */
  static List<String> inOwnGroup(List<String> command) {
    List<String> argv = new ArrayList<>();
    SETSID.ifPresent(argv::add);
    argv.addAll(command);
    return argv;
  }

  /** The process group of {@code process}, if it leads its own; empty when it does not. */
  static Optional<Long> ownGroup(Process process) {
    if (SETSID.isEmpty()) {
      return Optional.empty();
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
      // Fields after the command (which may hold spaces) in parentheses: state ppid pgrp ...
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long group = Long.parseLong(fields[2]);
      return group == process.pid() ? Optional.of(group) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      // No /proc, or the process is already gone: setsid made it a leader all the same.
      return Optional.of(process.pid());
    }
  }

  /**
   * Kills the process and every descendant: SIGTERM first, SIGKILL after {@code killGrace} to
   * whatever is still alive; waits for the process itself to exit.
   *
   * @param group the process group it leads, if any
   */
  static void kill(Process process, Optional<Long> group, Duration killGrace) {
    Set<ProcessHandle> tree = new LinkedHashSet<>(process.descendants().toList());
    if (group.isPresent()) {
      signalGroup(group.get(), "TERM");
    }
    process.destroy();
    long deadline = System.nanoTime() + killGrace.toNanos();
    while (System.nanoTime() < deadline && (process.isAlive() || anyAlive(tree))) {
      try {
        process.waitFor(
            Math.min(50, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)),
            TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    // Whatever the survivors started since, collected before the next kills.
    for (ProcessHandle survivor : List.copyOf(tree)) {
      survivor.descendants().forEach(tree::add);
    }
    process.descendants().forEach(tree::add);
    if (group.isPresent()) {
      signalGroup(group.get(), "KILL");
    }
    process.destroyForcibly();
    int killed = 0;
    for (ProcessHandle handle : tree) {
      if (handle.isAlive()) {
        handle.destroyForcibly();
        killed++;
      }
    }
    if (killed > 0) {
      log.warn(
          "prover process {}: killed {} descendant(s) still alive after SIGTERM",
          process.pid(),
          killed);
    }
    try {
      if (!process.waitFor(EXIT_PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
        log.error("prover process {} did not exit after SIGKILL", process.pid());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static boolean anyAlive(Set<ProcessHandle> handles) {
    return handles.stream().anyMatch(ProcessHandle::isAlive);
  }

  /** {@code kill -SIGNAL -- -GROUP}: Java signals single processes only. */
  private static void signalGroup(long group, String signal) {
    try {
      Process kill =
          new ProcessBuilder("kill", "-s", signal, "--", "-" + group)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!kill.waitFor(SIGNAL_PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
        kill.destroyForcibly();
      }
    } catch (IOException e) {
      log.warn("cannot signal process group {} with SIG{}: {}", group, signal, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
