package zisk.distributed.worker.referenceprover;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;

/**
 * Keeps standard output for the contract's messages alone. {@link #claim()} takes the process's
 * real standard output for the protocol and points {@code System.out} at standard error, so nothing
 * else in the JVM (a library, a logging status line, a stray print) can write a line the worker
 * would take for a broken message.
 */
public final class ProtocolStdout {

  private static OutputStream claimed;

  private ProtocolStdout() {}

  /**
   * The process's standard output, for protocol messages only; from the first call on, {@code
   * System.out} writes to standard error. Call it before anything may log.
   */
  public static synchronized OutputStream claim() {
    if (claimed == null) {
      System.out.flush();
      claimed = new FileOutputStream(FileDescriptor.out);
      System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true));
    }
    return claimed;
  }
}
