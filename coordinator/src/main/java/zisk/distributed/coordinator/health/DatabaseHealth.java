package zisk.distributed.coordinator.health;

import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.api.v1.ZiskDistributedApiGrpc;
import zisk.distributed.common.concurrent.DaemonThreads;

/**
 * Keeps {@code grpc.health.v1} truthful: SERVING while the database answers, NOT_SERVING while it
 * does not. A periodic probe notices both the loss and the recovery; a request that finds the
 * database unreachable flips the status at once.
 */
public final class DatabaseHealth implements DatabaseAvailability, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DatabaseHealth.class);
  private static final String SERVICE = ZiskDistributedApiGrpc.SERVICE_NAME;

  private final Runnable ping;
  private final HealthStatusManager health;
  private final AtomicBoolean serving = new AtomicBoolean(false);
  private final ScheduledExecutorService probe =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("database-health"));

  /**
   * @param ping one round trip to the database; throws when it does not answer
   */
  public DatabaseHealth(Runnable ping, HealthStatusManager health) {
    this.ping = ping;
    this.health = health;
  }

  public void start(long periodMillis) {
    probeNow();
    probe.scheduleWithFixedDelay(this::probeNow, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
  }

  /** Asks the database now; answers whether it replied. */
  public boolean probeNow() {
    try {
      ping.run();
      markServing(true, null);
      return true;
    } catch (RuntimeException e) {
      markServing(false, e);
      return false;
    }
  }

  public boolean isServing() {
    return serving.get();
  }

  @Override
  public void reportFailure(Throwable error) {
    markServing(false, error);
  }

  private void markServing(boolean up, Throwable error) {
    if (serving.getAndSet(up) != up) {
      if (up) {
        log.info("Database reachable: serving");
      } else {
        log.warn(
            "Database unreachable: not serving ({})",
            error == null ? "unknown" : error.getMessage());
      }
    }
    ServingStatus status = up ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, status);
    health.setStatus(SERVICE, status);
  }

  @Override
  public void close() {
    probe.shutdownNow();
    health.enterTerminalState();
  }
}
