package zisk.distributed.coordinator;

import io.grpc.ServerCredentials;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import zisk.distributed.common.config.ConfigException;
import zisk.distributed.common.config.LayeredConfig;
import zisk.distributed.common.logging.LoggingSetup;
import zisk.distributed.coordinator.config.CoordinatorConfig;
import zisk.distributed.coordinator.config.CoordinatorSettings;
import zisk.distributed.coordinator.store.Database;
import zisk.distributed.coordinator.store.Migrations;

/** {@code zisk coordinator}: runs a coordinator until SIGTERM / Ctrl-C. */
@Command(
    name = "coordinator",
    mixinStandardHelpOptions = true,
    versionProvider = CoordinatorCommand.VersionProvider.class,
    description = {
      "Runs a ZisK distributed proving coordinator: the gRPC API on a durable PostgreSQL job queue.",
      "Without a database URL it starts an embedded PostgreSQL whose data persists in --data-dir.",
      "Priority: flags > config file (--config or CONFIG_PATH) > DISTRIBUTED_* environment > defaults."
    },
    footerHeading = "%nEvery setting (TOML key, environment variable, meaning):%n")
public final class CoordinatorCommand implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(CoordinatorCommand.class);

  @Option(
      names = "--host",
      paramLabel = "ADDR",
      description = "Bind address (server.host, DISTRIBUTED_SERVER_HOST; default 0.0.0.0).")
  String host;

  @Option(
      names = {"-p", "--port"},
      paramLabel = "PORT",
      description = "gRPC port (server.port, DISTRIBUTED_SERVER_PORT; default 8080).")
  Integer port;

  @Option(
      names = "--metrics-port",
      paramLabel = "PORT",
      description =
          "HTTP port of GET /metrics (metrics.port, DISTRIBUTED_METRICS_PORT; default 0: none).")
  Integer metricsPort;

  @Option(
      names = "--tls-cert-file",
      paramLabel = "FILE",
      description =
          "PEM certificate chain: serve TLS (server.tls.cert_file, DISTRIBUTED_TLS_CERT_FILE; needs --tls-key-file).")
  Path tlsCertFile;

  @Option(
      names = "--tls-key-file",
      paramLabel = "FILE",
      description =
          "PEM (PKCS#8) private key of --tls-cert-file (server.tls.key_file, DISTRIBUTED_TLS_KEY_FILE).")
  Path tlsKeyFile;

  @Option(
      names = "--tls-client-ca-file",
      paramLabel = "FILE",
      description =
          "PEM CA certificates: require client certificates they signed, mutual TLS (server.tls.client_ca_file, DISTRIBUTED_TLS_CLIENT_CA_FILE).")
  Path tlsClientCaFile;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "TOML config file (or CONFIG_PATH).")
  Path configFile;

  @Option(
      names = "--database-url",
      paramLabel = "URL",
      description = {
        "PostgreSQL: jdbc:postgresql://host:5432/db?user=u or postgresql://user@host:5432/db",
        "(database.url, DISTRIBUTED_DATABASE_URL; default: embedded PostgreSQL)."
      })
  String databaseUrl;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "Embedded PostgreSQL data directory (database.data_dir, DISTRIBUTED_DATA_DIR; default ~/.zisk/coordinator/postgres).")
  Path dataDir;

  @Option(
      names = "--migrate",
      negatable = true,
      description =
          "Apply pending schema migrations on start (database.migrate, DISTRIBUTED_DATABASE_MIGRATE; default true). --no-migrate refuses to start on a schema that is behind.")
  Boolean migrate;

  @Option(
      names = "--max-compute-capacity",
      paramLabel = "N",
      description =
          "Largest compute capacity a job may request (jobs.max_compute_capacity, DISTRIBUTED_MAX_COMPUTE_CAPACITY; default 10000).")
  Integer maxComputeCapacity;

  @Option(
      names = "--tokens-file",
      paramLabel = "FILE",
      description =
          "TOML file of [[auth.tokens]] tables, see `zisk token new` (auth.tokens_file, DISTRIBUTED_AUTH_TOKENS_FILE; default none: admin calls from loopback only).")
  Path tokensFile;

  @Option(
      names = "--proof-verifier",
      paramLabel = "VERIFIER",
      description =
          "How final proofs are verified before a job completes: reference, command or none (proofs.verifier, DISTRIBUTED_PROOF_VERIFIER; default reference).")
  String proofVerifier;

  @Option(
      names = "--inputs-dir",
      paramLabel = "DIR",
      description =
          "Directory the verifiers read job inputs from, with the workers' rules; repeat it for several. A relative input_path is taken in the first (proofs.inputs_dirs, DISTRIBUTED_INPUTS_DIRS comma-separated; default ./inputs).")
  List<String> inputsDirs;

  @Option(
      names = "--webhook-allowed-host",
      paramLabel = "HOST",
      description =
          "Host a LaunchProof webhook_url may name; *.example.com allows its subdomains; repeat it for several (webhooks.allowed_hosts, DISTRIBUTED_WEBHOOKS_ALLOWED_HOSTS comma-separated; default any host). The signing secret has no flag, so it never shows in a process list: use webhooks.secret or DISTRIBUTED_WEBHOOKS_SECRET.")
  List<String> webhookAllowedHosts;

  @Option(
      names = "--inputs-max-size-bytes",
      paramLabel = "BYTES",
      description =
          "Largest input UploadInput accepts (inputs.max_size_bytes, DISTRIBUTED_INPUTS_MAX_SIZE_BYTES; default 1073741824).")
  Long inputsMaxSizeBytes;

  @Option(
      names = "--inputs-retention-hours",
      paramLabel = "HOURS",
      description =
          "How long an uploaded input no unfinished job needs is kept after its last use (inputs.retention_hours, DISTRIBUTED_INPUTS_RETENTION_HOURS; default 24).")
  Integer inputsRetentionHours;

  @Option(
      names = "--log-level",
      paramLabel = "LEVEL",
      description =
          "trace, debug, info, warn or error (logging.level, DISTRIBUTED_LOGGING_LEVEL; default info).")
  String logLevel;

  @Option(
      names = "--log-format",
      paramLabel = "FORMAT",
      description =
          "pretty, compact or json (logging.format, DISTRIBUTED_LOGGING_FORMAT; default pretty).")
  String logFormat;

  private final Map<String, String> env;

  public CoordinatorCommand() {
    this(System.getenv());
  }

  public CoordinatorCommand(Map<String, String> env) {
    this.env = env;
  }

  /** The settings table for --help, built from the same list the loader uses. */
  public static String settingsReference() {
    return CoordinatorSettings.KEYS.stream()
        .map(key -> "  " + key.fileKey() + "  (" + key.envVar() + ")%n      " + key.description())
        .collect(Collectors.joining("%n"));
  }

  /** Merges flags, file, environment and defaults into the validated configuration. */
  public CoordinatorConfig resolveConfig() {
    Path file =
        configFile != null
            ? configFile
            : env.containsKey("CONFIG_PATH") ? Path.of(env.get("CONFIG_PATH")) : null;
    return CoordinatorSettings.resolve(
        env,
        file,
        LayeredConfig.flags(
            "server.host", host,
            "server.port", port,
            "metrics.port", metricsPort,
            "server.tls.cert_file", tlsCertFile,
            "server.tls.key_file", tlsKeyFile,
            "server.tls.client_ca_file", tlsClientCaFile,
            "database.url", databaseUrl,
            "database.data_dir", dataDir,
            "database.migrate", migrate,
            "jobs.max_compute_capacity", maxComputeCapacity,
            "auth.tokens_file", tokensFile,
            "proofs.verifier", proofVerifier,
            "proofs.inputs_dirs",
                inputsDirs == null ? null : String.join(LayeredConfig.LIST_SEPARATOR, inputsDirs),
            "webhooks.allowed_hosts",
                webhookAllowedHosts == null
                    ? null
                    : String.join(LayeredConfig.LIST_SEPARATOR, webhookAllowedHosts),
            "inputs.max_size_bytes", inputsMaxSizeBytes,
            "inputs.retention_hours", inputsRetentionHours,
            "logging.level", logLevel,
            "logging.format", logFormat));
  }

  @Override
  public Integer call() throws Exception {
    CoordinatorConfig config;
    try {
      config = resolveConfig();
    } catch (ConfigException e) {
      System.err.println("zisk coordinator: " + e.getMessage());
      return 2;
    }
    LoggingSetup.configure(
        config.logging().level(),
        config.logging().format(),
        config.logging().filePath().orElse(null));
    ServerCredentials credentials;
    try {
      // Before the database starts: a TLS file that cannot be used is a configuration error.
      credentials = ServerSecurity.credentials(config.tls());
    } catch (ConfigException e) {
      System.err.println("zisk coordinator: " + e.getMessage());
      return 2;
    }

    Database database = null;
    CoordinatorServer server;
    try {
      database = Database.open(config);
      server = CoordinatorServer.onConfiguredPort(config, database, credentials);
      server.start();
    } catch (Database.DatabaseStartException
        | Migrations.SchemaMismatchException
        | java.io.IOException e) {
      log.error(
          "Cannot start the coordinator on {}:{}: {}",
          config.host(),
          config.port(),
          e.getMessage());
      if (database != null) {
        database.close();
      }
      return 1;
    }
    Database opened = database;
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.stop();
                  opened.close();
                },
                "coordinator-shutdown"));
    server.blockUntilShutdown();
    return 0;
  }

  /** Prints the coordinator's version for --version. */
  public static final class VersionProvider implements picocli.CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"zisk coordinator " + Version.get()};
    }
  }
}
