package zisk.distributed.worker.config;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import zisk.distributed.common.config.ConfigKey;
import zisk.distributed.common.inputs.InputFiles;
import zisk.distributed.common.rules.ComputeUnits;
import zisk.distributed.common.rules.ProverIds;

/**
 * Every worker setting: its TOML key, environment variable and meaning, and the built-in defaults.
 * The {@code --help} text, {@code --generate-config} and {@link WorkerConfig#load} all read from
 * here, so the names cannot drift apart.
 */
public final class WorkerSettings {

  public static final ConfigKey SERVER_URL =
      new ConfigKey(
          "server.url",
          "DISTRIBUTED_SERVER_URL",
          "Coordinator URL(s): http://host:port (plaintext), https://host:port (TLS) or host:port. "
              + "Several, comma-separated, for failover: the worker connects to the first and moves to "
              + "the next when one cannot be reached.");
  public static final ConfigKey CA_FILE =
      new ConfigKey(
          "server.ca_file",
          "DISTRIBUTED_CA_FILE",
          "PEM CA certificate(s) to trust for https:// coordinator URLs, instead of the system "
              + "trust store.");
  public static final ConfigKey TLS_CERT_FILE =
      new ConfigKey(
          "server.tls_cert_file",
          "DISTRIBUTED_TLS_CERT_FILE",
          "PEM client certificate this worker presents over https:// when the coordinator requires "
              + "mutual TLS; needs server.tls_key_file.");
  public static final ConfigKey TLS_KEY_FILE =
      new ConfigKey(
          "server.tls_key_file",
          "DISTRIBUTED_TLS_KEY_FILE",
          "PEM (PKCS#8) private key of server.tls_cert_file.");
  public static final ConfigKey PROVER_ID =
      new ConfigKey(
          "prover.prover_id",
          "DISTRIBUTED_PROVER_ID",
          "Stable id of this prover (printable ASCII without spaces, 1 to "
              + ProverIds.MAX_LENGTH
              + " characters). "
              + "A random UUID when unset.");
  public static final ConfigKey COMPUTE_UNITS =
      new ConfigKey(
          "prover.compute_capacity.compute_units",
          "DISTRIBUTED_COMPUTE_UNITS",
          "Compute units this prover offers (1 to "
              + ComputeUnits.MAX_PER_PROVER
              + "). Defaults to the number of CPUs.");
  public static final ConfigKey BACKEND =
      new ConfigKey(
          "prover.backend",
          "DISTRIBUTED_PROVER_BACKEND",
          "Prover backend that runs the tasks: reference (built in) or native (an external prover"
              + " program, see [prover.native]).");
  public static final ConfigKey INPUTS_DIRS =
      new ConfigKey(
          "prover.inputs_dirs",
          "DISTRIBUTED_INPUTS_DIRS",
          "Directories the worker reads task inputs from (a TOML array; comma-separated in the "
              + "environment). input_path must name a regular file inside one of them, links "
              + "resolved; a relative input_path is taken in the first. Relative directories start "
              + "in the worker's working directory.");
  public static final ConfigKey MAX_INPUT_BYTES =
      new ConfigKey(
          "prover.max_input_bytes",
          "DISTRIBUTED_MAX_INPUT_BYTES",
          "Largest input file the worker reads, in bytes (1 to 1073741824).");
  public static final ConfigKey RECONNECT_INTERVAL =
      new ConfigKey(
          "connection.reconnect_interval_seconds",
          "DISTRIBUTED_RECONNECT_INTERVAL_SECONDS",
          "Base of the reconnect back-off, in seconds; it doubles after each failed round of URLs.");
  public static final ConfigKey MAX_RECONNECT_INTERVAL =
      new ConfigKey(
          "connection.max_reconnect_interval_seconds",
          "DISTRIBUTED_MAX_RECONNECT_INTERVAL_SECONDS",
          "Cap of the reconnect back-off, in seconds (at least the reconnect interval).");
  public static final ConfigKey HEARTBEAT_TIMEOUT =
      new ConfigKey(
          "connection.heartbeat_timeout_seconds",
          "DISTRIBUTED_HEARTBEAT_TIMEOUT_SECONDS",
          "Seconds without any message from the coordinator after which the stream counts as dead "
              + "and the worker reconnects.");
  public static final ConfigKey TOKEN =
      new ConfigKey(
          "auth.token",
          "DISTRIBUTED_TOKEN",
          "Secret of a prover token, sent as 'authorization: Bearer <secret>' to coordinators that"
              + " have tokens configured. Unset: no token (enough for a coordinator without tokens).");
  public static final ConfigKey LOGGING_LEVEL =
      new ConfigKey(
          "logging.level",
          "DISTRIBUTED_LOGGING_LEVEL",
          "Log level: trace, debug, info, warn or error.");
  public static final ConfigKey LOGGING_FORMAT =
      new ConfigKey(
          "logging.format", "DISTRIBUTED_LOGGING_FORMAT", "Log format: pretty, compact or json.");
  public static final ConfigKey LOGGING_FILE_PATH =
      new ConfigKey(
          "logging.file_path",
          "DISTRIBUTED_LOGGING_FILE_PATH",
          "Log file; logs go to standard error when unset.");

  public static final ConfigKey METRICS_PORT =
      new ConfigKey(
          "metrics.port",
          "DISTRIBUTED_METRICS_PORT",
          "HTTP port of GET /metrics (Prometheus text format); 0, the default, serves none.");
  public static final ConfigKey METRICS_HOST =
      new ConfigKey(
          "metrics.host",
          "DISTRIBUTED_METRICS_HOST",
          "Bind address of metrics.port; default 0.0.0.0 (Prometheus scrapes from another host).");

  /** In the order the template and the reference list them. */
  public static final List<ConfigKey> ALL =
      Stream.of(
              List.of(
                  SERVER_URL,
                  CA_FILE,
                  TLS_CERT_FILE,
                  TLS_KEY_FILE,
                  PROVER_ID,
                  COMPUTE_UNITS,
                  BACKEND,
                  INPUTS_DIRS,
                  MAX_INPUT_BYTES,
                  RECONNECT_INTERVAL,
                  MAX_RECONNECT_INTERVAL,
                  HEARTBEAT_TIMEOUT,
                  TOKEN,
                  LOGGING_LEVEL,
                  LOGGING_FORMAT,
                  LOGGING_FILE_PATH,
                  METRICS_PORT,
                  METRICS_HOST),
              InputCacheSettings.KEYS,
              NativeProverSettings.KEYS)
          .flatMap(List::stream)
          .toList();

  /** Environment variable naming the config file when {@code --config} is not given. */
  public static final String CONFIG_PATH_ENV = "CONFIG_PATH";

  public static final String DEFAULT_SERVER_URL = "http://127.0.0.1:8080";
  public static final String DEFAULT_BACKEND = "reference";

  /** The default inputs directory: {@code inputs} in the worker's working directory. */
  public static final String DEFAULT_INPUTS_DIR = "inputs";

  /** 64 MiB: room for a real block's input; the reference backend's own format stops at 64 KiB. */
  public static final long DEFAULT_MAX_INPUT_BYTES = InputFiles.DEFAULT_MAX_BYTES;

  public static final Duration DEFAULT_RECONNECT_INTERVAL = Duration.ofSeconds(5);
  public static final Duration DEFAULT_MAX_RECONNECT_INTERVAL = Duration.ofSeconds(60);
  public static final Duration DEFAULT_HEARTBEAT_TIMEOUT = Duration.ofSeconds(30);
  public static final String DEFAULT_LOGGING_LEVEL = "info";
  public static final String DEFAULT_LOGGING_FORMAT = "pretty";

  private WorkerSettings() {}

  /** The default compute units: this machine's CPU count, within the allowed range. */
  public static int defaultComputeUnits() {
    return Math.max(
        1, Math.min(ComputeUnits.MAX_PER_PROVER, Runtime.getRuntime().availableProcessors()));
  }
}
