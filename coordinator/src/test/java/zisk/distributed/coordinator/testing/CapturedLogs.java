package zisk.distributed.coordinator.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.slf4j.LoggerFactory;

/**
 * Records what the process logs at INFO and above while it is open, through SLF4J (our code) and
 * java.util.logging (gRPC and Netty), so a test can assert how much a hostile peer costs in logs.
 */
public final class CapturedLogs implements AutoCloseable {

  /** One logged event: "LEVEL logger - message", and whether it carried a stack trace. */
  public record Line(String text, boolean stackTrace) {}

  private final List<Line> lines = new CopyOnWriteArrayList<>();
  private final AppenderBase<ILoggingEvent> appender =
      new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
          if (event.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.INFO)) {
            lines.add(
                new Line(
                    event.getLevel()
                        + " "
                        + event.getLoggerName()
                        + " - "
                        + event.getFormattedMessage(),
                    event.getThrowableProxy() != null));
          }
        }
      };
  private final Handler handler =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          if (record.getLevel().intValue() >= Level.INFO.intValue()) {
            lines.add(
                new Line(
                    record.getLevel() + " " + record.getLoggerName() + " - " + record.getMessage(),
                    record.getThrown() != null));
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  private CapturedLogs() {}

  public static CapturedLogs start() {
    CapturedLogs logs = new CapturedLogs();
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    logs.appender.setContext(context);
    logs.appender.start();
    context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(logs.appender);
    java.util.logging.Logger.getLogger("").addHandler(logs.handler);
    return logs;
  }

  public List<Line> lines() {
    return List.copyOf(lines);
  }

  @Override
  public void close() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(appender);
    appender.stop();
    java.util.logging.Logger.getLogger("").removeHandler(handler);
  }
}
