package zisk.distributed.common.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Configures logging from the {@code logging.*} settings: level (trace..error), format (pretty,
 * compact or json) and an optional file; logs go to standard error otherwise.
 */
public final class LoggingSetup {

  public static final List<String> LEVELS = List.of("trace", "debug", "info", "warn", "error");
  public static final List<String> FORMATS = List.of("pretty", "compact", "json");

  private LoggingSetup() {}

  public static void configure(String level, String format, String filePath) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();

    Encoder<ILoggingEvent> encoder = encoder(context, format);
    OutputStreamAppender<ILoggingEvent> appender;
    if (filePath == null || filePath.isBlank()) {
      ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
      console.setTarget("System.err");
      appender = console;
    } else {
      FileAppender<ILoggingEvent> file = new FileAppender<>();
      file.setFile(filePath);
      file.setAppend(true);
      appender = file;
    }
    appender.setContext(context);
    appender.setName("main");
    appender.setEncoder(encoder);
    appender.start();

    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(level, Level.INFO));
    root.addAppender(appender);
    // Libraries are chatty; keep them quiet unless the operator asks for trace. The embedded
    // PostgreSQL relays every server log line, and Flyway narrates each step: warnings only.
    boolean trace = "trace".equals(level);
    for (String name : List.of("io.grpc", "io.netty", "com.zaxxer", "org.jdbi")) {
      context.getLogger(name).setLevel(trace ? Level.TRACE : Level.INFO);
    }
    for (String name : List.of("org.flywaydb", "io.zonky")) {
      context.getLogger(name).setLevel(trace ? Level.TRACE : Level.WARN);
    }
    GrpcLogBridge.install();
  }

  private static Encoder<ILoggingEvent> encoder(LoggerContext context, String format) {
    if ("json".equals(format)) {
      JsonEncoder json = new JsonEncoder();
      json.setContext(context);
      json.start();
      return json;
    }
    PatternLayoutEncoder pattern = new PatternLayoutEncoder();
    pattern.setContext(context);
    pattern.setPattern(
        "compact".equals(format)
            ? "%d{HH:mm:ss.SSS} %-5level %logger{0} - %msg%n"
            : "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{36} - %msg%n");
    pattern.start();
    return pattern;
  }
}
