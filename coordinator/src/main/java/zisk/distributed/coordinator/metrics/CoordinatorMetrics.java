package zisk.distributed.coordinator.metrics;

import io.micrometer.core.instrument.binder.grpc.MetricCollectingServerInterceptor;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import zisk.distributed.common.metrics.Registries;
import zisk.distributed.coordinator.store.Store;

/**
 * The coordinator's meters, one registry per coordinator (never a static global): JVM meters, the
 * event counters ({@link EventMetrics}), the cluster-wide gauges ({@link ClusterGauges}), webhook
 * deliveries ({@link WebhookMetrics}), gRPC calls by method and status (Micrometer's interceptor)
 * and the connection pool (HikariCP's tracker, bound by the wiring). Served by {@link
 * zisk.distributed.common.metrics.MetricsEndpoint} when {@code metrics.port} is set.
 */
public final class CoordinatorMetrics {

  /** How often the cluster-wide gauges are read from the database. */
  public static final Duration CLUSTER_REFRESH = Duration.ofSeconds(5);

  private final PrometheusMeterRegistry registry = Registries.prometheus();
  private final EventMetrics events = new EventMetrics(registry);
  private final WebhookMetrics webhooks = new WebhookMetrics(registry);

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public EventMetrics events() {
    return events;
  }

  public WebhookMetrics webhooks() {
    return webhooks;
  }

  /** The cluster-wide gauges; the caller refreshes them every {@link #CLUSTER_REFRESH}. */
  public ClusterGauges cluster(Store store, Clock clock) {
    return new ClusterGauges(registry, store, clock);
  }

  /** Counts gRPC calls by service, method and status code ({@code grpc_server_*}). */
  public MetricCollectingServerInterceptor grpcInterceptor() {
    return new MetricCollectingServerInterceptor(registry);
  }
}
