package zisk.distributed.worker.config;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import zisk.distributed.common.config.ConfigException;
import zisk.distributed.common.config.ConfigKey;
import zisk.distributed.common.config.LayeredConfig;

/**
 * The settings of {@code [prover.native]} and {@code [prover.native.timeouts]}: keys, variables,
 * defaults, and how they become a {@link NativeProverConfig}.
 */
public final class NativeProverSettings {

  public static final ConfigKey COMMAND =
      new ConfigKey(
          "prover.native.command",
          "DISTRIBUTED_PROVER_COMMAND",
          "The native prover program and its arguments (backend = native): a TOML array, or one"
              + " line split into words as a shell would, without running a shell.");
  public static final ConfigKey GPUS =
      new ConfigKey(
          "prover.native.gpus",
          "DISTRIBUTED_GPUS",
          "GPUs of this worker's prover, comma-separated indexes or UUIDs (\"0,1\"), passed as"
              + " CUDA_VISIBLE_DEVICES. Unset: the variable is left as the worker has it.");
  public static final ConfigKey ENV =
      new ConfigKey(
          "prover.native.env",
          "DISTRIBUTED_PROVER_ENV",
          "Extra environment variables of the prover: a TOML table of strings; NAME=VALUE words"
              + " in the environment variable.");
  public static final ConfigKey WORKING_DIR =
      new ConfigKey(
          "prover.native.working_dir",
          "DISTRIBUTED_PROVER_WORKING_DIR",
          "Working directory of the prover. Unset: the worker's.");
  public static final ConfigKey STARTUP_TIMEOUT =
      new ConfigKey(
          "prover.native.startup_timeout_seconds",
          "DISTRIBUTED_PROVER_STARTUP_TIMEOUT_SECONDS",
          "Seconds a started prover may take to say ready (loading proving keys takes minutes);"
              + " then it is killed and started again.");
  public static final ConfigKey CANCEL_GRACE =
      new ConfigKey(
          "prover.native.cancel_grace_seconds",
          "DISTRIBUTED_PROVER_CANCEL_GRACE_SECONDS",
          "Seconds a request may take to end after cancel before the prover is killed and"
              + " replaced.");
  public static final ConfigKey KILL_GRACE =
      new ConfigKey(
          "prover.native.kill_grace_seconds",
          "DISTRIBUTED_PROVER_KILL_GRACE_SECONDS",
          "Seconds between SIGTERM to the prover's process group and SIGKILL to it and to every"
              + " descendant.");
  public static final ConfigKey CONTRIBUTE_TIMEOUT =
      new ConfigKey(
          "prover.native.timeouts.contribute_seconds",
          "DISTRIBUTED_PROVER_CONTRIBUTE_TIMEOUT_SECONDS",
          "Time limit of a PARTIAL_CONTRIBUTION request, in seconds; then it is cancelled.");
  public static final ConfigKey PROVE_TIMEOUT =
      new ConfigKey(
          "prover.native.timeouts.prove_seconds",
          "DISTRIBUTED_PROVER_PROVE_TIMEOUT_SECONDS",
          "Time limit of a PROVE request, in seconds; then it is cancelled.");
  public static final ConfigKey AGGREGATE_TIMEOUT =
      new ConfigKey(
          "prover.native.timeouts.aggregate_seconds",
          "DISTRIBUTED_PROVER_AGGREGATE_TIMEOUT_SECONDS",
          "Time limit of an AGGREGATE request, in seconds; then it is cancelled.");

  /** In the order the template and the reference list them. */
  public static final List<ConfigKey> KEYS =
      List.of(
          COMMAND,
          GPUS,
          ENV,
          WORKING_DIR,
          STARTUP_TIMEOUT,
          CANCEL_GRACE,
          KILL_GRACE,
          CONTRIBUTE_TIMEOUT,
          PROVE_TIMEOUT,
          AGGREGATE_TIMEOUT);

  /** Keys whose TOML value is a table of strings. */
  public static final Set<String> MAP_KEYS = Set.of(ENV.fileKey());

  /** Half an hour: a real prover loads its proving keys and sets up its GPUs first. */
  public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofMinutes(30);

  public static final Duration DEFAULT_CANCEL_GRACE = Duration.ofSeconds(10);
  public static final Duration DEFAULT_KILL_GRACE = Duration.ofSeconds(10);

  /** An hour per request, far above a real block's proving time. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofHours(1);

  private static final long MAX_SECONDS = 7 * 86_400;

  private NativeProverSettings() {}

  /**
   * The native prover's settings; the command is required when {@code backend} is native.
   *
   * @throws ConfigException naming the bad setting and where it came from
   */
  static NativeProverConfig load(LayeredConfig config, String backend) {
    List<String> command = config.words(COMMAND.fileKey());
    if ("native".equals(backend) && command.isEmpty()) {
      throw new ConfigException(
          "prover.backend = native needs "
              + COMMAND.fileKey()
              + " ("
              + COMMAND.envVar()
              + ", --prover-command): the prover program and its arguments");
    }
    Optional<String> gpus =
        config
            .get(GPUS.fileKey())
            .map(
                value -> {
                  String list = value.text().replaceAll("\\s+", "");
                  if (!NativeProverConfig.GPUS.matcher(list).matches()) {
                    throw LayeredConfig.invalid(
                        GPUS.fileKey(), value, "expected device indexes or UUIDs, comma-separated");
                  }
                  return list;
                });
    Map<String, String> env = config.assignments(ENV.fileKey(), NativeProverConfig.ENV_NAME);
    for (String name : env.keySet()) {
      if (name.equals(NativeProverConfig.PROVER_ID_VARIABLE)
          || (gpus.isPresent() && name.equals(NativeProverConfig.GPUS_VARIABLE))) {
        throw new ConfigException(
            "invalid "
                + ENV.fileKey()
                + ": "
                + name
                + " is set by the worker"
                + (gpus.isPresent() ? " (from " + GPUS.fileKey() + ")" : ""));
      }
    }
    NativeProverConfig defaults = NativeProverConfig.DEFAULT;
    return new NativeProverConfig(
        command,
        gpus,
        env,
        workingDir(config),
        config.seconds(STARTUP_TIMEOUT.fileKey(), defaults.startupTimeout(), 1, MAX_SECONDS),
        config.seconds(CANCEL_GRACE.fileKey(), defaults.cancelGrace(), 1, 3600),
        config.seconds(KILL_GRACE.fileKey(), defaults.killGrace(), 1, 3600),
        new NativeProverConfig.Timeouts(
            config.seconds(
                CONTRIBUTE_TIMEOUT.fileKey(), defaults.timeouts().contribute(), 1, MAX_SECONDS),
            config.seconds(PROVE_TIMEOUT.fileKey(), defaults.timeouts().prove(), 1, MAX_SECONDS),
            config.seconds(
                AGGREGATE_TIMEOUT.fileKey(), defaults.timeouts().aggregate(), 1, MAX_SECONDS)));
  }

  /** The working directory must exist now, not at the prover's first start. */
  private static Optional<Path> workingDir(LayeredConfig config) {
    return config
        .get(WORKING_DIR.fileKey())
        .filter(value -> !value.text().isBlank())
        .map(
            value -> {
              try {
                Path dir = Path.of(value.text());
                if (!Files.isDirectory(dir)) {
                  throw LayeredConfig.invalid(WORKING_DIR.fileKey(), value, "not a directory");
                }
                return dir;
              } catch (InvalidPathException e) {
                throw LayeredConfig.invalid(WORKING_DIR.fileKey(), value, "not a valid path");
              }
            });
  }
}
