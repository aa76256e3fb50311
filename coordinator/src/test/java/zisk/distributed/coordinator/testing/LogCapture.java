package zisk.distributed.coordinator.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Records what one logger writes, for tests that check what an operator is told. */
public final class LogCapture implements AutoCloseable {

  private final Logger logger;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  private LogCapture(String loggerName) {
    this.logger = (Logger) LoggerFactory.getLogger(loggerName);
    appender.start();
    logger.addAppender(appender);
  }

  public static LogCapture of(Class<?> source) {
    return new LogCapture(source.getName());
  }

  /** Every logger of {@code source}'s package and the packages below it. */
  public static LogCapture ofPackage(Class<?> source) {
    return new LogCapture(source.getPackageName());
  }

  /** Every line so far, as "LEVEL message". */
  public List<String> lines() {
    return appender.list.stream()
        .map(event -> event.getLevel() + " " + event.getFormattedMessage())
        .toList();
  }

  public boolean contains(String level, String text) {
    return lines().stream().anyMatch(line -> line.startsWith(level + " ") && line.contains(text));
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
  }
}
