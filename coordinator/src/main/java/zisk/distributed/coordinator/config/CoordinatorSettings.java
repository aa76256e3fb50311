package zisk.distributed.coordinator.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import zisk.distributed.common.config.ConfigException;
import zisk.distributed.common.config.ConfigKey;
import zisk.distributed.common.config.LayeredConfig;
import zisk.distributed.common.logging.LoggingSetup;

/** The coordinator's settings: their names in each source, their defaults, and their validation. */
public final class CoordinatorSettings {

  static final String TLS_CERT_FILE = "server.tls.cert_file";
  static final String TLS_KEY_FILE = "server.tls.key_file";
  static final String TLS_CLIENT_CA_FILE = "server.tls.client_ca_file";

  /** The same variable as the workers' {@code prover.inputs_dirs}: one setting serves a host. */
  public static final ConfigKey INPUTS_DIRS =
      new ConfigKey(
          "proofs.inputs_dirs",
          "DISTRIBUTED_INPUTS_DIRS",
          "directories the verifiers read job inputs from, with the workers' rules (a TOML array;"
              + " comma-separated in the environment); a relative input_path is taken in the"
              + " first; default ./inputs");

  private static final List<ConfigKey> CORE_KEYS =
      List.of(
          new ConfigKey("server.host", "DISTRIBUTED_SERVER_HOST", "bind address"),
          new ConfigKey("server.port", "DISTRIBUTED_SERVER_PORT", "gRPC port"),
          new ConfigKey(
              TLS_CERT_FILE,
              "DISTRIBUTED_TLS_CERT_FILE",
              "PEM certificate chain for TLS on the gRPC port; needs server.tls.key_file"),
          new ConfigKey(
              TLS_KEY_FILE,
              "DISTRIBUTED_TLS_KEY_FILE",
              "PEM (PKCS#8) private key of server.tls.cert_file"),
          new ConfigKey(
              TLS_CLIENT_CA_FILE,
              "DISTRIBUTED_TLS_CLIENT_CA_FILE",
              "PEM CA certificates: clients must present a certificate they signed (mutual TLS)"),
          new ConfigKey("service.name", "DISTRIBUTED_SERVICE_NAME", "name reported by StatusInfo"),
          new ConfigKey(
              "service.environment",
              "DISTRIBUTED_SERVICE_ENVIRONMENT",
              "environment reported by StatusInfo"),
          new ConfigKey(
              "database.url",
              "DISTRIBUTED_DATABASE_URL",
              "PostgreSQL URL; unset starts an embedded PostgreSQL"),
          new ConfigKey(
              "database.data_dir", "DISTRIBUTED_DATA_DIR", "embedded PostgreSQL data directory"),
          new ConfigKey(
              "database.migrate",
              "DISTRIBUTED_DATABASE_MIGRATE",
              "apply pending migrations on start"),
          new ConfigKey(
              "database.pool_size", "DISTRIBUTED_DATABASE_POOL_SIZE", "most database connections"),
          new ConfigKey(
              "database.timeout_seconds",
              "DISTRIBUTED_DATABASE_TIMEOUT_SECONDS",
              "wait for a database connection before answering SYSTEM_UNAVAILABLE"),
          new ConfigKey(
              "jobs.max_compute_capacity",
              "DISTRIBUTED_MAX_COMPUTE_CAPACITY",
              "largest compute capacity a job may request"),
          new ConfigKey(
              "jobs.max_attempts", "DISTRIBUTED_JOB_MAX_ATTEMPTS", "attempts before a job fails"),
          new ConfigKey(
              "jobs.timeouts.partial_contribution_seconds",
              "DISTRIBUTED_PARTIAL_CONTRIBUTION_TIMEOUT_SECONDS",
              "how long a PARTIAL_CONTRIBUTION task may run before it is timed out (default 3600)"),
          new ConfigKey(
              "jobs.timeouts.prove_seconds",
              "DISTRIBUTED_PROVE_TIMEOUT_SECONDS",
              "how long a PROVE task may run before it is timed out (default 3600)"),
          new ConfigKey(
              "jobs.timeouts.aggregate_seconds",
              "DISTRIBUTED_AGGREGATE_TIMEOUT_SECONDS",
              "how long an AGGREGATE task may run before it is timed out (default 1800)"),
          new ConfigKey(
              "provers.heartbeat_interval_seconds",
              "DISTRIBUTED_HEARTBEAT_INTERVAL_SECONDS",
              "how often the coordinator sends Heartbeat to each prover"),
          new ConfigKey(
              "provers.heartbeat_timeout_seconds",
              "DISTRIBUTED_HEARTBEAT_TIMEOUT_SECONDS",
              "silence after which a prover is disconnected and its job re-queued"),
          new ConfigKey(
              "provers.reconnect_grace_seconds",
              "DISTRIBUTED_RECONNECT_GRACE_SECONDS",
              "how long a busy prover whose stream broke may reconnect and keep its work"),
          new ConfigKey(
              "provers.invalid_proof_hold_seconds",
              "DISTRIBUTED_INVALID_PROOF_HOLD_SECONDS",
              "quarantine of the prover that aggregated an invalid final proof (at once; the failure"
                  + " cool-down instead when that is longer)"),
          new ConfigKey(
              "provers.quarantine_after_failures",
              "DISTRIBUTED_QUARANTINE_AFTER_FAILURES",
              "failed, timed-out or invalid tasks in a row after which a prover is quarantined"),
          new ConfigKey(
              "provers.quarantine_seconds",
              "DISTRIBUTED_QUARANTINE_SECONDS",
              "first cool-down of a quarantined prover; doubled at each repeat"),
          new ConfigKey(
              "provers.quarantine_max_seconds",
              "DISTRIBUTED_QUARANTINE_MAX_SECONDS",
              "longest cool-down of a quarantined prover"),
          new ConfigKey(
              "proofs.verifier",
              "DISTRIBUTED_PROOF_VERIFIER",
              "reference, command or none: how final proofs are verified before a job completes"),
          new ConfigKey(
              "proofs.verify_command",
              "DISTRIBUTED_PROOF_VERIFY_COMMAND",
              "argument vector of the command verifier; the input and proof files are appended"),
          new ConfigKey(
              "proofs.verify_timeout_seconds",
              "DISTRIBUTED_PROOF_VERIFY_TIMEOUT_SECONDS",
              "how long the verify command may run before its process tree is killed"),
          new ConfigKey(
              "proofs.verify_concurrency",
              "DISTRIBUTED_PROOF_VERIFY_CONCURRENCY",
              "most final proofs verified at once"),
          INPUTS_DIRS,
          InputStorage.MAX_SIZE,
          InputStorage.RETENTION,
          new ConfigKey(
              "server.max_prover_message_bytes",
              "DISTRIBUTED_MAX_PROVER_MESSAGE_BYTES",
              "largest message on a registered prover's stream; other calls get 1 MiB"),
          new ConfigKey(
              "jobs.rank_replacement_wait_seconds",
              "DISTRIBUTED_RANK_REPLACEMENT_WAIT_SECONDS",
              "how long a lost prover's rank waits for an idle replacement before the attempt restarts"),
          new ConfigKey(
              "jobs.max_queued",
              "DISTRIBUTED_MAX_QUEUED_JOBS",
              "QUEUED jobs beyond which LaunchProof answers RESOURCE_EXHAUSTED"),
          new ConfigKey(
              "limits.max_watchers",
              "DISTRIBUTED_MAX_WATCHERS",
              "WatchJob calls open at once beyond which WatchJob answers RESOURCE_EXHAUSTED"),
          new ConfigKey(
              "provers.register_timeout_seconds",
              "DISTRIBUTED_REGISTER_TIMEOUT_SECONDS",
              "a prover stream that has not registered by then is closed"),
          new ConfigKey(
              "provers.max_unregistered_streams",
              "DISTRIBUTED_MAX_UNREGISTERED_STREAMS",
              "prover streams open at once that have not registered yet"),
          new ConfigKey(
              "provers.max_registrations_per_second",
              "DISTRIBUTED_MAX_REGISTRATIONS_PER_SECOND",
              "registrations and reconnects accepted per second"),
          new ConfigKey(
              "provers.retention_hours",
              "DISTRIBUTED_PROVER_RETENTION_HOURS",
              "how long a DISCONNECTED prover is kept before it is pruned"),
          new ConfigKey(
              "coordinators.liveness_seconds",
              "DISTRIBUTED_COORDINATOR_LIVENESS_SECONDS",
              "how stale a coordinator's row may be before the others take over its provers; it"
                  + " refreshes the row six times per window"),
          new ConfigKey(
              "coordinators.retention_hours",
              "DISTRIBUTED_COORDINATOR_RETENTION_HOURS",
              "how long the row of a coordinator gone for good is kept before it is pruned"),
          new ConfigKey(
              "logging.level", "DISTRIBUTED_LOGGING_LEVEL", "trace, debug, info, warn or error"),
          new ConfigKey("logging.format", "DISTRIBUTED_LOGGING_FORMAT", "pretty, compact or json"),
          new ConfigKey(
              "logging.file_path",
              "DISTRIBUTED_LOGGING_FILE_PATH",
              "log file; unset logs to stderr"),
          new ConfigKey(
              AuthSettings.TOKENS_FILE,
              "DISTRIBUTED_AUTH_TOKENS_FILE",
              "TOML file of [[auth.tokens]] tables (name, role, sha256, prover_ids), added to those"
                  + " of the config file; without any token, admin calls are answered on loopback"
                  + " only"));

  public static final List<ConfigKey> KEYS =
      Stream.of(CORE_KEYS, MetricsSettings.KEYS, WebhookSettings.KEYS)
          .flatMap(List::stream)
          .toList();

  /** Where the embedded database keeps its data unless told otherwise. */
  public static Path defaultDataDir() {
    return Path.of(System.getProperty("user.home"), ".zisk", "coordinator", "postgres");
  }

  private CoordinatorSettings() {}

  private static CoordinatorConfig.ProverTiming proverTiming(LayeredConfig config) {
    CoordinatorConfig.ProverTiming defaults = CoordinatorConfig.ProverTiming.DEFAULT;
    Duration interval =
        config.seconds("provers.heartbeat_interval_seconds", defaults.heartbeatInterval(), 1, 3600);
    Duration timeout =
        config.seconds("provers.heartbeat_timeout_seconds", defaults.heartbeatTimeout(), 2, 86_400);
    if (timeout.compareTo(interval.multipliedBy(2)) < 0) {
      throw new ConfigException(
          "provers.heartbeat_timeout_seconds ("
              + timeout.toSeconds()
              + ") must be at least twice provers.heartbeat_interval_seconds ("
              + interval.toSeconds()
              + ")");
    }
    return new CoordinatorConfig.ProverTiming(
        interval,
        timeout,
        config.seconds("provers.reconnect_grace_seconds", defaults.reconnectGrace(), 0, 86_400));
  }

  private static ProofVerification proofVerification(LayeredConfig config) {
    ProofVerification defaults = ProofVerification.DEFAULT;
    ProofVerification.Verifier verifier =
        ProofVerification.Verifier.valueOf(
            config
                .choice("proofs.verifier", "reference", List.of("reference", "command", "none"))
                .toUpperCase(Locale.ROOT));
    List<String> command = config.words("proofs.verify_command");
    if (verifier == ProofVerification.Verifier.COMMAND && command.isEmpty()) {
      throw new ConfigException(
          "proofs.verifier = command needs proofs.verify_command (DISTRIBUTED_PROOF_VERIFY_COMMAND):"
              + " the program and its arguments; the input and proof files are appended");
    }
    return new ProofVerification(
        verifier,
        command,
        config.seconds("proofs.verify_timeout_seconds", defaults.verifyTimeout(), 1, 86_400),
        config.integer("proofs.verify_concurrency", defaults.verifyConcurrency(), 1, 256),
        config.seconds(
            "provers.invalid_proof_hold_seconds", defaults.invalidProofHold(), 0, 2_592_000),
        config.directories(INPUTS_DIRS, ProofVerification.DEFAULT_INPUTS_DIR));
  }

  private static CoordinatorConfig.Limits limits(LayeredConfig config) {
    CoordinatorConfig.Limits defaults = CoordinatorConfig.Limits.DEFAULT;
    return new CoordinatorConfig.Limits(
        config.integer(
            "server.max_prover_message_bytes",
            defaults.maxProverMessageBytes(),
            CoordinatorConfig.Limits.ADMIN_MESSAGE_BYTES,
            Integer.MAX_VALUE),
        config.seconds("provers.register_timeout_seconds", defaults.registerTimeout(), 1, 3600),
        config.integer(
            "provers.max_unregistered_streams", defaults.maxUnregisteredStreams(), 1, 1_000_000),
        config.integer(
            "provers.max_registrations_per_second",
            defaults.maxRegistrationsPerSecond(),
            1,
            1_000_000),
        Duration.ofHours(
            config.integer(
                "provers.retention_hours", (int) defaults.proverRetention().toHours(), 1, 100_000)),
        config.integer("jobs.max_queued", defaults.maxQueuedJobs(), 1, 100_000_000),
        InputStorage.resolve(config),
        config.integer("limits.max_watchers", defaults.maxWatchers(), 1, 1_000_000));
  }

  private static InstanceTiming coordinators(LayeredConfig config) {
    InstanceTiming defaults = InstanceTiming.DEFAULT;
    return new InstanceTiming(
        config.seconds(
            "coordinators.liveness_seconds",
            defaults.liveness(),
            InstanceTiming.MIN_LIVENESS.toSeconds(),
            1800),
        Duration.ofHours(
            config.integer(
                "coordinators.retention_hours", (int) defaults.retention().toHours(), 1, 100_000)));
  }

  /**
   * Builds the validated configuration.
   *
   * @param env environment variables
   * @param configFile TOML file from --config or CONFIG_PATH, or null
   * @param flags values given on the command line, by file key
   */
  public static CoordinatorConfig resolve(
      Map<String, String> env, Path configFile, Map<String, String> flags) {
    LayeredConfig config =
        LayeredConfig.load(KEYS, List.of(AuthSettings.TOKENS), env, configFile, flags);
    Optional<String> databaseUrl =
        config.get("database.url").map(v -> DatabaseUrls.toJdbc(v.text(), v.origin()));
    return new CoordinatorConfig(
        config.string("server.host", "0.0.0.0"),
        config.integer("server.port", CoordinatorConfig.DEFAULT_PORT, 0, 65535),
        config.string("service.name", "zisk-coordinator"),
        config.string("service.environment", "development"),
        databaseUrl,
        config
            .get("database.data_dir")
            .map(v -> Path.of(v.text()))
            .orElseGet(CoordinatorSettings::defaultDataDir),
        config.bool("database.migrate", true),
        config.integer("database.pool_size", 10, 2, 500),
        config.seconds("database.timeout_seconds", Duration.ofSeconds(3), 1, 600),
        config.integer(
            "jobs.max_compute_capacity",
            CoordinatorConfig.DEFAULT_MAX_COMPUTE_CAPACITY,
            1,
            Integer.MAX_VALUE),
        config.integer("jobs.max_attempts", CoordinatorConfig.DEFAULT_MAX_ATTEMPTS, 1, 100),
        proverTiming(config),
        new CoordinatorConfig.Logging(
            config.choice("logging.level", "info", LoggingSetup.LEVELS),
            config.choice("logging.format", "pretty", LoggingSetup.FORMATS),
            config.get("logging.file_path").map(LayeredConfig.Value::text)),
        tls(config),
        AuthSettings.resolve(config),
        proofVerification(config),
        limits(config),
        timeouts(config),
        quarantine(config),
        new CoordinatorConfig.LostRanks(
            config.seconds(
                "jobs.rank_replacement_wait_seconds",
                CoordinatorConfig.LostRanks.DEFAULT.replacementWait(),
                0,
                3600)),
        coordinators(config),
        WebhookSettings.resolve(config),
        MetricsSettings.resolve(config));
  }

  private static TaskTimeouts timeouts(LayeredConfig config) {
    TaskTimeouts defaults = TaskTimeouts.DEFAULT;
    int most = TaskTimeouts.MAX_SECONDS;
    return new TaskTimeouts(
        config.seconds(
            "jobs.timeouts.partial_contribution_seconds", defaults.partialContribution(), 1, most),
        config.seconds("jobs.timeouts.prove_seconds", defaults.prove(), 1, most),
        config.seconds("jobs.timeouts.aggregate_seconds", defaults.aggregate(), 1, most));
  }

  private static QuarantinePolicy quarantine(LayeredConfig config) {
    QuarantinePolicy defaults = QuarantinePolicy.DEFAULT;
    Duration cooldown =
        config.seconds("provers.quarantine_seconds", defaults.cooldown(), 1, 2_592_000);
    Duration max =
        config.seconds("provers.quarantine_max_seconds", defaults.maxCooldown(), 1, 2_592_000);
    if (max.compareTo(cooldown) < 0) {
      throw new ConfigException(
          "provers.quarantine_max_seconds ("
              + max.toSeconds()
              + ") must be at least provers.quarantine_seconds ("
              + cooldown.toSeconds()
              + ")");
    }
    return new QuarantinePolicy(
        config.integer("provers.quarantine_after_failures", defaults.afterFailures(), 1, 1000),
        cooldown,
        max);
  }

  /**
   * TLS needs both a certificate and its key; a client CA alone would be a mistake that silently
   * serves plaintext. The files must be readable now: the server loads them before it listens.
   */
  private static Optional<CoordinatorConfig.Tls> tls(LayeredConfig config) {
    Optional<Path> cert = config.readableFile(TLS_CERT_FILE);
    Optional<Path> key = config.readableFile(TLS_KEY_FILE);
    Optional<Path> clientCa = config.readableFile(TLS_CLIENT_CA_FILE);
    if (cert.isEmpty() && key.isEmpty()) {
      if (clientCa.isPresent()) {
        throw new ConfigException(
            TLS_CLIENT_CA_FILE
                + " is set but TLS is off: mutual TLS also needs "
                + TLS_CERT_FILE
                + " and "
                + TLS_KEY_FILE);
      }
      return Optional.empty();
    }
    if (cert.isEmpty() || key.isEmpty()) {
      throw new ConfigException(
          "TLS needs both "
              + TLS_CERT_FILE
              + " and "
              + TLS_KEY_FILE
              + "; only "
              + (cert.isPresent() ? TLS_CERT_FILE : TLS_KEY_FILE)
              + " is set");
    }
    return Optional.of(new CoordinatorConfig.Tls(cert.get(), key.get(), clientCa));
  }
}
