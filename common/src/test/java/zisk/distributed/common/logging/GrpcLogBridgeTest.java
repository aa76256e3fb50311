package zisk.distributed.common.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** gRPC's java.util.logging records reach our log as one clean line each. */
class GrpcLogBridgeTest {

  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger ours = (Logger) LoggerFactory.getLogger("io.grpc.netty.Test");

  @BeforeEach
  void attach() {
    GrpcLogBridge.install();
    ours.addAppender(logs);
    logs.start();
  }

  @AfterEach
  void detach() {
    ours.detachAppender(logs);
  }

  @Test
  void aRecordWithAnExceptionBecomesOneLineWithoutItsStackTrace() {
    java.util.logging.Logger.getLogger("io.grpc.netty.Test")
        .log(
            java.util.logging.Level.INFO,
            "Transport failed",
            new IllegalStateException("peer sent\u001b[31m junk\nsecond line"));

    assertEquals(1, logs.list.size());
    ILoggingEvent line = logs.list.get(0);
    assertEquals(Level.INFO, line.getLevel());
    assertEquals(
        "Transport failed: IllegalStateException: peer sent?[31m junk", line.getFormattedMessage());
    assertNull(line.getThrowableProxy());
  }

  @Test
  void installingTwiceBridgesOnce() {
    GrpcLogBridge.install();

    java.util.logging.Logger.getLogger("io.grpc.netty.Test").warning("once");

    assertEquals(1, logs.list.size());
  }
}
