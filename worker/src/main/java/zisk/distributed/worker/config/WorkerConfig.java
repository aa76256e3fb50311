package zisk.distributed.worker.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import zisk.distributed.common.config.ConfigException;
import zisk.distributed.common.config.LayeredConfig;
import zisk.distributed.common.inputs.InputFiles;
import zisk.distributed.common.logging.LoggingSetup;
import zisk.distributed.common.metrics.MetricsConfig;
import zisk.distributed.common.rules.ComputeUnits;
import zisk.distributed.common.rules.ProverIds;
import zisk.distributed.worker.connection.BearerToken;
import zisk.distributed.worker.connection.ClientTls;
import zisk.distributed.worker.connection.CoordinatorEndpoint;

/**
 * The worker's settings, validated once at start-up.
 *
 * <p>{@link #load} merges flags, the TOML file, {@code DISTRIBUTED_*} variables and defaults (in
 * that order of strength) and names the source of any bad value. Tests may call the constructor
 * directly with sub-second durations.
 *
 * @param coordinators coordinator endpoints in failover order; at least one
 * @param proverId this prover's id
 * @param computeUnits compute units announced at registration
 * @param backend name of the prover backend
 * @param reconnectInterval base of the reconnect back-off
 * @param maxReconnectInterval cap of the reconnect back-off
 * @param heartbeatTimeout silence after which the stream counts as dead
 * @param logging log level, format and file
 * @param tls trusted CAs and client certificate for https:// coordinator URLs
 * @param token the prover token sent to coordinators, if any
 * @param inputs where task inputs may be read, and how large they may be
 * @param nativeProver the native backend's prover program and limits
 * @param metrics where GET /metrics is served; port 0: nowhere
 */
public record WorkerConfig(
    List<CoordinatorEndpoint> coordinators,
    String proverId,
    int computeUnits,
    String backend,
    Duration reconnectInterval,
    Duration maxReconnectInterval,
    Duration heartbeatTimeout,
    Logging logging,
    ClientTls tls,
    Optional<BearerToken> token,
    InputFiles inputs,
    NativeProverConfig nativeProver,
    InputCacheSettings inputCache,
    MetricsConfig metrics) {

  /**
   * Logging settings.
   *
   * @param level trace, debug, info, warn or error
   * @param format pretty, compact or json
   * @param filePath log file, or null for standard error
   */
  public record Logging(String level, String format, String filePath) {
    public Logging {
      if (!LoggingSetup.LEVELS.contains(level)) {
        throw new IllegalArgumentException(
            "logging level must be one of " + LoggingSetup.LEVELS + ": " + level);
      }
      if (!LoggingSetup.FORMATS.contains(format)) {
        throw new IllegalArgumentException(
            "logging format must be one of " + LoggingSetup.FORMATS + ": " + format);
      }
    }

    public static Logging defaults() {
      return new Logging(
          WorkerSettings.DEFAULT_LOGGING_LEVEL, WorkerSettings.DEFAULT_LOGGING_FORMAT, null);
    }
  }

  public WorkerConfig {
    coordinators = List.copyOf(coordinators);
    if (coordinators.isEmpty()) {
      throw new IllegalArgumentException("at least one coordinator URL is needed");
    }
    // The coordinator's own rules: a worker it would refuse at every registration does not start.
    ProverIds.problem(proverId)
        .ifPresent(
            problem -> {
              throw new IllegalArgumentException(problem);
            });
    ComputeUnits.problem(computeUnits)
        .ifPresent(
            problem -> {
              throw new IllegalArgumentException(problem);
            });
    if (backend == null || backend.isBlank()) {
      throw new IllegalArgumentException("backend name is empty");
    }
    requirePositive(reconnectInterval, "reconnect interval");
    requirePositive(maxReconnectInterval, "max reconnect interval");
    requirePositive(heartbeatTimeout, "heartbeat timeout");
    if (maxReconnectInterval.compareTo(reconnectInterval) < 0) {
      throw new IllegalArgumentException(
          "max reconnect interval "
              + maxReconnectInterval
              + " is shorter than the reconnect interval "
              + reconnectInterval);
    }
    Objects.requireNonNull(logging, "logging");
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(inputs, "inputs");
    Objects.requireNonNull(nativeProver, "nativeProver");
    Objects.requireNonNull(metrics, "metrics");
  }

  /**
   * Settings whose https:// URLs trust the system's CAs, with no token, and the default inputs
   * directory and size limit.
   */
  public WorkerConfig(
      List<CoordinatorEndpoint> coordinators,
      String proverId,
      int computeUnits,
      String backend,
      Duration reconnectInterval,
      Duration maxReconnectInterval,
      Duration heartbeatTimeout,
      Logging logging) {
    this(
        coordinators,
        proverId,
        computeUnits,
        backend,
        reconnectInterval,
        maxReconnectInterval,
        heartbeatTimeout,
        logging,
        ClientTls.SYSTEM_TRUST,
        Optional.empty(),
        defaultInputs(),
        NativeProverConfig.DEFAULT,
        InputCacheSettings.DEFAULT,
        MetricsConfig.DISABLED);
  }

  /** {@code ./inputs} in the working directory, files up to 64 MiB. */
  public static InputFiles defaultInputs() {
    return new InputFiles(
        List.of(Path.of(WorkerSettings.DEFAULT_INPUTS_DIR)),
        WorkerSettings.DEFAULT_MAX_INPUT_BYTES);
  }

  /** The same settings with these TLS settings. */
  public WorkerConfig withTls(ClientTls newTls) {
    return copy(edit -> edit.tls = newTls);
  }

  /** The same settings with a token. */
  public WorkerConfig withToken(BearerToken newToken) {
    return copy(edit -> edit.token = Optional.of(newToken));
  }

  /** This configuration keeping uploaded inputs elsewhere. */
  public WorkerConfig withInputCache(InputCacheSettings newInputCache) {
    return copy(edit -> edit.inputCache = newInputCache);
  }

  /** This configuration reading inputs from elsewhere. */
  public WorkerConfig withInputs(InputFiles newInputs) {
    return copy(edit -> edit.inputs = newInputs);
  }

  /** This configuration with these native prover settings. */
  public WorkerConfig withNativeProver(NativeProverConfig newNativeProver) {
    return copy(edit -> edit.nativeProver = newNativeProver);
  }

  /**
   * Loads the configuration from its layers.
   *
   * @param env the process environment (or a test's map)
   * @param configFile the TOML file, or null for none
   * @param flags values given on the command line, by file key (see {@link LayeredConfig#flags})
   * @throws ConfigException naming the bad setting and where it came from
   */
  public static WorkerConfig load(
      Map<String, String> env, Path configFile, Map<String, String> flags) {
    LayeredConfig config =
        LayeredConfig.load(
            WorkerSettings.ALL, List.of(), NativeProverSettings.MAP_KEYS, env, configFile, flags);

    List<CoordinatorEndpoint> coordinators = ConnectionSettings.coordinators(config);
    String proverId =
        config
            .get(WorkerSettings.PROVER_ID.fileKey())
            .map(
                value -> {
                  ProverIds.problem(value.text())
                      .ifPresent(
                          problem -> {
                            throw LayeredConfig.invalid(
                                WorkerSettings.PROVER_ID.fileKey(), value, problem);
                          });
                  return value.text();
                })
            .orElseGet(() -> UUID.randomUUID().toString());
    int computeUnits = computeUnits(config);
    String backend =
        config
            .get(WorkerSettings.BACKEND.fileKey())
            .map(
                value -> {
                  String name = value.text().trim().toLowerCase();
                  if (!name.matches("[a-z0-9][a-z0-9_-]*")) {
                    throw LayeredConfig.invalid(
                        WorkerSettings.BACKEND.fileKey(),
                        value,
                        "expected a backend name such as '" + WorkerSettings.DEFAULT_BACKEND + "'");
                  }
                  return name;
                })
            .orElse(WorkerSettings.DEFAULT_BACKEND);
    Duration reconnect =
        config.seconds(
            WorkerSettings.RECONNECT_INTERVAL.fileKey(),
            WorkerSettings.DEFAULT_RECONNECT_INTERVAL,
            1,
            3600);
    Duration maxReconnect =
        config.seconds(
            WorkerSettings.MAX_RECONNECT_INTERVAL.fileKey(),
            WorkerSettings.DEFAULT_MAX_RECONNECT_INTERVAL.compareTo(reconnect) < 0
                ? reconnect
                : WorkerSettings.DEFAULT_MAX_RECONNECT_INTERVAL,
            1,
            86_400);
    if (maxReconnect.compareTo(reconnect) < 0) {
      throw LayeredConfig.invalid(
          WorkerSettings.MAX_RECONNECT_INTERVAL.fileKey(),
          config.get(WorkerSettings.MAX_RECONNECT_INTERVAL.fileKey()).orElseThrow(),
          "must be at least "
              + WorkerSettings.RECONNECT_INTERVAL.fileKey()
              + " ("
              + reconnect.toSeconds()
              + ")");
    }
    Duration heartbeatTimeout =
        config.seconds(
            WorkerSettings.HEARTBEAT_TIMEOUT.fileKey(),
            WorkerSettings.DEFAULT_HEARTBEAT_TIMEOUT,
            1,
            86_400);
    Logging logging =
        new Logging(
            config.choice(
                WorkerSettings.LOGGING_LEVEL.fileKey(),
                WorkerSettings.DEFAULT_LOGGING_LEVEL,
                LoggingSetup.LEVELS),
            config.choice(
                WorkerSettings.LOGGING_FORMAT.fileKey(),
                WorkerSettings.DEFAULT_LOGGING_FORMAT,
                LoggingSetup.FORMATS),
            config
                .get(WorkerSettings.LOGGING_FILE_PATH.fileKey())
                .map(LayeredConfig.Value::text)
                .filter(path -> !path.isBlank())
                .orElse(null));

    Optional<BearerToken> token = ConnectionSettings.token(config);

    return new WorkerConfig(
        coordinators,
        proverId,
        computeUnits,
        backend,
        reconnect,
        maxReconnect,
        heartbeatTimeout,
        logging,
        ConnectionSettings.tls(config),
        token,
        inputs(config),
        NativeProverSettings.load(config, backend),
        InputCacheSettings.load(config),
        new MetricsConfig(
            config.string(WorkerSettings.METRICS_HOST.fileKey(), "0.0.0.0"),
            config.integer(WorkerSettings.METRICS_PORT.fileKey(), 0, 0, 65535)));
  }

  /** The inputs directories (comma-separated in the environment, a list elsewhere) and limit. */
  private static InputFiles inputs(LayeredConfig config) {
    List<Path> dirs =
        config.directories(WorkerSettings.INPUTS_DIRS, Path.of(WorkerSettings.DEFAULT_INPUTS_DIR));
    int maxBytes =
        config.integer(
            WorkerSettings.MAX_INPUT_BYTES.fileKey(),
            (int) WorkerSettings.DEFAULT_MAX_INPUT_BYTES,
            1,
            (int) InputFiles.MAX_LIMIT_BYTES);
    return new InputFiles(dirs, maxBytes);
  }

  private static int computeUnits(LayeredConfig config) {
    String key = WorkerSettings.COMPUTE_UNITS.fileKey();
    int units =
        config.integer(
            key, WorkerSettings.defaultComputeUnits(), Integer.MIN_VALUE, Integer.MAX_VALUE);
    ComputeUnits.problem(units)
        .ifPresent(
            problem -> {
              throw LayeredConfig.invalid(key, config.get(key).orElseThrow(), problem);
            });
    return units;
  }

  private static void requirePositive(Duration duration, String what) {
    if (duration == null || duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(what + " must be positive: " + duration);
    }
  }

  /** This configuration with the components {@code change} sets replaced. */
  private WorkerConfig copy(Consumer<Copy> change) {
    Copy edit = new Copy(this);
    change.accept(edit);
    return edit.build();
  }

  /** A mutable copy of every component, for the with* methods. */
  private static final class Copy {
    private List<CoordinatorEndpoint> coordinators;
    private String proverId;
    private int computeUnits;
    private String backend;
    private Duration reconnectInterval;
    private Duration maxReconnectInterval;
    private Duration heartbeatTimeout;
    private Logging logging;
    private ClientTls tls;
    private Optional<BearerToken> token;
    private InputFiles inputs;
    private NativeProverConfig nativeProver;
    private InputCacheSettings inputCache;
    private MetricsConfig metrics;

    Copy(WorkerConfig from) {
      coordinators = from.coordinators;
      proverId = from.proverId;
      computeUnits = from.computeUnits;
      backend = from.backend;
      reconnectInterval = from.reconnectInterval;
      maxReconnectInterval = from.maxReconnectInterval;
      heartbeatTimeout = from.heartbeatTimeout;
      logging = from.logging;
      tls = from.tls;
      token = from.token;
      inputs = from.inputs;
      nativeProver = from.nativeProver;
      inputCache = from.inputCache;
      metrics = from.metrics;
    }

    WorkerConfig build() {
      return new WorkerConfig(
          coordinators,
          proverId,
          computeUnits,
          backend,
          reconnectInterval,
          maxReconnectInterval,
          heartbeatTimeout,
          logging,
          tls,
          token,
          inputs,
          nativeProver,
          inputCache,
          metrics);
    }
  }
}
