package zisk.distributed.common.logging;

import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes what gRPC logs through {@code java.util.logging} into our logs, one line per record.
 *
 * <p>Left alone, gRPC prints a stack trace on standard error for every connection that sends
 * garbage and every stream that sends a message it refuses: a stranger with a socket could fill the
 * log. Here each record becomes one line under the same logger name, with the exception's class and
 * first line of message; the stack trace only when that logger is at trace. A record about an error
 * the peer was already answered with a status (a refused message) drops to debug: the client was
 * told, and there is nothing for the operator to do.
 */
public final class GrpcLogBridge extends Handler {

  private static final String NAMESPACE = "io.grpc";
  private static final int MAX_DETAIL = 300;

  /** Keeps the JUL logger configured: JUL holds its loggers weakly. */
  private static final java.util.logging.Logger GRPC =
      java.util.logging.Logger.getLogger(NAMESPACE);

  private GrpcLogBridge() {}

  /**
   * Installs the bridge (once per process) and lets through what our {@code io.grpc} logger would
   * print: gRPC formats nothing it would only have dropped.
   */
  public static synchronized void install() {
    Logger ours = LoggerFactory.getLogger(NAMESPACE);
    GRPC.setLevel(
        ours.isTraceEnabled() ? Level.ALL : ours.isDebugEnabled() ? Level.FINE : Level.INFO);
    for (Handler handler : GRPC.getHandlers()) {
      if (handler instanceof GrpcLogBridge) {
        return;
      }
    }
    GRPC.setUseParentHandlers(false);
    GRPC.addHandler(new GrpcLogBridge());
  }

  @Override
  public void publish(LogRecord record) {
    Logger logger =
        LoggerFactory.getLogger(
            record.getLoggerName() == null ? NAMESPACE : record.getLoggerName());
    Throwable error = record.getThrown();
    int level =
        error != null && answeredWithStatus(error) ? Level.FINE.intValue() : levelOf(record);
    String line = text(record) + (error == null ? "" : ": " + summary(error));
    if (logger.isTraceEnabled() && error != null) {
      logger.trace(line, error);
    } else if (level >= Level.SEVERE.intValue()) {
      logger.error(line);
    } else if (level >= Level.WARNING.intValue()) {
      logger.warn(line);
    } else if (level >= Level.INFO.intValue()) {
      logger.info(line);
    } else if (level >= Level.FINE.intValue()) {
      logger.debug(line);
    } else {
      logger.trace(line);
    }
  }

  private static int levelOf(LogRecord record) {
    return record.getLevel() == null ? Level.INFO.intValue() : record.getLevel().intValue();
  }

  /** gRPC's own status exceptions, as thrown when a stream's message is refused. */
  private static boolean answeredWithStatus(Throwable error) {
    String name = error.getClass().getName();
    return name.endsWith("io.grpc.StatusRuntimeException")
        || name.endsWith("io.grpc.StatusException");
  }

  private static String text(LogRecord record) {
    String message = record.getMessage();
    Object[] parameters = record.getParameters();
    if (message != null && parameters != null && parameters.length > 0) {
      try {
        message = java.text.MessageFormat.format(message, parameters);
      } catch (IllegalArgumentException e) {
        // keep the pattern as it is
      }
    }
    return message == null ? "" : firstLine(message);
  }

  private static String summary(Throwable error) {
    String message = error.getMessage();
    return error.getClass().getSimpleName() + (message == null ? "" : ": " + firstLine(message));
  }

  /** The first line, bounded, control characters replaced: peers choose some of this text. */
  private static String firstLine(String text) {
    int end = text.indexOf('\n');
    String line = end < 0 ? text : text.substring(0, end);
    String bounded = line.length() <= MAX_DETAIL ? line : line.substring(0, MAX_DETAIL) + "…";
    StringBuilder clean = new StringBuilder(bounded.length());
    bounded.codePoints().forEach(c -> clean.appendCodePoint(Character.isISOControl(c) ? '?' : c));
    return clean.toString();
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}
}
