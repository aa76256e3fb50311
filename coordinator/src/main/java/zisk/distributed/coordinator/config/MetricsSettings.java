package zisk.distributed.coordinator.config;

import java.util.List;
import zisk.distributed.common.config.ConfigKey;
import zisk.distributed.common.config.LayeredConfig;
import zisk.distributed.common.metrics.MetricsConfig;

/** The {@code [metrics]} keys: where GET /metrics is served. */
final class MetricsSettings {

  static final List<ConfigKey> KEYS =
      List.of(
          new ConfigKey(
              "metrics.port",
              "DISTRIBUTED_METRICS_PORT",
              "HTTP port of GET /metrics (Prometheus); 0, the default, serves none"),
          new ConfigKey(
              "metrics.host",
              "DISTRIBUTED_METRICS_HOST",
              "bind address of metrics.port; default server.host"));

  private MetricsSettings() {}

  /** A coordinator kept on loopback keeps its metrics there too, unless told otherwise. */
  static MetricsConfig resolve(LayeredConfig config) {
    return new MetricsConfig(
        config.string("metrics.host", config.string("server.host", "0.0.0.0")),
        config.integer("metrics.port", 0, 0, 65535));
  }
}
