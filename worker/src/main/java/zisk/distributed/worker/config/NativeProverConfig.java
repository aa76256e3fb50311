package zisk.distributed.worker.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The settings of the native prover backend ({@code [prover.native]}): the prover program, how it
 * is started, and how long each step may take (see the README, "Native provers").
 *
 * @param command the program and its arguments; no shell runs it. Empty only when the backend is
 *     not native
 * @param gpus CUDA_VISIBLE_DEVICES for the prover ("0,1"); empty: the variable is left as it is
 * @param env extra environment variables of the prover, in order
 * @param workingDir the prover's working directory; empty: the worker's
 * @param startupTimeout how long a started prover may take to say {@code ready}
 * @param cancelGrace how long a request may take to end after {@code cancel}
 * @param killGrace how long the process group has after SIGTERM before SIGKILL
 * @param timeouts how long each kind of request may run before it is cancelled
 */
public record NativeProverConfig(
    List<String> command,
    Optional<String> gpus,
    Map<String, String> env,
    Optional<Path> workingDir,
    Duration startupTimeout,
    Duration cancelGrace,
    Duration killGrace,
    Timeouts timeouts) {

  /** What a GPU list may hold: device indexes or UUIDs (GPU-..., MIG-...), comma-separated. */
  public static final Pattern GPUS =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9_:/.-]*(,[A-Za-z0-9][A-Za-z0-9_:/.-]*)*");

  /** What a variable name in {@code env} must look like. */
  public static final String ENV_NAME = "[A-Za-z_][A-Za-z0-9_]*";

  /** Variables the worker sets itself; {@code env} may not set them. */
  public static final String PROVER_ID_VARIABLE = "ZISK_PROVER_ID";

  public static final String GPUS_VARIABLE = "CUDA_VISIBLE_DEVICES";

  /**
   * The time limit of each kind of request.
   *
   * @param contribute PARTIAL_CONTRIBUTION ({@code contribute})
   * @param prove PROVE
   * @param aggregate AGGREGATE
   */
  public record Timeouts(Duration contribute, Duration prove, Duration aggregate) {
    public Timeouts {
      requirePositive(contribute, "contribute timeout");
      requirePositive(prove, "prove timeout");
      requirePositive(aggregate, "aggregate timeout");
    }
  }

  /** No command, and the default limits. */
  public static final NativeProverConfig DEFAULT =
      new NativeProverConfig(
          List.of(),
          Optional.empty(),
          Map.of(),
          Optional.empty(),
          NativeProverSettings.DEFAULT_STARTUP_TIMEOUT,
          NativeProverSettings.DEFAULT_CANCEL_GRACE,
          NativeProverSettings.DEFAULT_KILL_GRACE,
          new Timeouts(
              NativeProverSettings.DEFAULT_REQUEST_TIMEOUT,
              NativeProverSettings.DEFAULT_REQUEST_TIMEOUT,
              NativeProverSettings.DEFAULT_REQUEST_TIMEOUT));

  public NativeProverConfig {
    command = List.copyOf(command);
    Objects.requireNonNull(gpus, "gpus");
    gpus.ifPresent(
        list -> {
          if (!GPUS.matcher(list).matches()) {
            throw new IllegalArgumentException(
                "GPUs must be a comma-separated list of device indexes or UUIDs: " + list);
          }
        });
    env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
    for (String name : env.keySet()) {
      if (!name.matches(ENV_NAME)) {
        throw new IllegalArgumentException("not a variable name: " + name);
      }
      if (name.equals(PROVER_ID_VARIABLE) || (gpus.isPresent() && name.equals(GPUS_VARIABLE))) {
        throw new IllegalArgumentException(
            name + " is set by the worker" + (name.equals(GPUS_VARIABLE) ? " from gpus" : ""));
      }
    }
    Objects.requireNonNull(workingDir, "workingDir");
    requirePositive(startupTimeout, "startup timeout");
    requirePositive(cancelGrace, "cancel grace");
    requirePositive(killGrace, "kill grace");
    Objects.requireNonNull(timeouts, "timeouts");
  }

  /** The same settings running {@code newCommand}. */
  public NativeProverConfig withCommand(List<String> newCommand) {
    return new NativeProverConfig(
        newCommand, gpus, env, workingDir, startupTimeout, cancelGrace, killGrace, timeouts);
  }

  /** The same settings with these GPUs. */
  public NativeProverConfig withGpus(String newGpus) {
    return new NativeProverConfig(
        command,
        Optional.of(newGpus),
        env,
        workingDir,
        startupTimeout,
        cancelGrace,
        killGrace,
        timeouts);
  }

  /** The same settings with these extra variables. */
  public NativeProverConfig withEnv(Map<String, String> newEnv) {
    return new NativeProverConfig(
        command, gpus, newEnv, workingDir, startupTimeout, cancelGrace, killGrace, timeouts);
  }

  /** The same settings with these limits (tests use sub-second ones). */
  public NativeProverConfig withLimits(
      Duration newStartupTimeout,
      Duration newCancelGrace,
      Duration newKillGrace,
      Timeouts newTimeouts) {
    return new NativeProverConfig(
        command,
        gpus,
        env,
        workingDir,
        newStartupTimeout,
        newCancelGrace,
        newKillGrace,
        newTimeouts);
  }

  private static void requirePositive(Duration duration, String what) {
    if (duration == null || duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(what + " must be positive: " + duration);
    }
  }
}
