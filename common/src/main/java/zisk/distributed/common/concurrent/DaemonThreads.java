package zisk.distributed.common.concurrent;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thread factories for the background threads of the coordinator and the worker (housekeeping,
 * health probes, listeners, the task thread). They are daemons so that a stuck one, such as a
 * prover backend that ignores interrupts, never keeps the JVM alive after a stop; and they carry a
 * name, so a thread dump or a log line says whose thread it is.
 */
public final class DaemonThreads {

  private DaemonThreads() {}

  /**
   * A factory of daemon threads: the first is named {@code name}, later ones {@code name-2}, {@code
   * name-3} and so on (an executor may replace a thread that died).
   */
  public static ThreadFactory named(String name) {
    AtomicInteger created = new AtomicInteger();
    return runnable -> {
      int n = created.incrementAndGet();
      Thread thread = new Thread(runnable, n == 1 ? name : name + "-" + n);
      thread.setDaemon(true);
      return thread;
    };
  }
}
