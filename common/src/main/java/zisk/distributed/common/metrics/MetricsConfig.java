package zisk.distributed.common.metrics;

/**
 * Where a process serves {@code GET /metrics}: {@code metrics.host} and {@code metrics.port}; port
 * 0 (the default) serves no metrics endpoint.
 */
public record MetricsConfig(String host, int port) {

  public static final MetricsConfig DISABLED = new MetricsConfig("0.0.0.0", 0);

  public boolean enabled() {
    return port > 0;
  }
}
