package zisk.distributed.coordinator;

import java.nio.file.Path;
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
      names = "--proof-verifier",
      paramLabel = "VERIFIER",
      description =
          "How final proofs are verified before a job completes: reference, command or none (proofs.verifier, DISTRIBUTED_PROOF_VERIFIER; default reference).")
  String proofVerifier;

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
            "database.url", databaseUrl,
            "database.data_dir", dataDir,
            "database.migrate", migrate,
            "jobs.max_compute_capacity", maxComputeCapacity,
            "proofs.verifier", proofVerifier,
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

    Database database = null;
    CoordinatorServer server;
    try {
      database = Database.open(config);
      server = CoordinatorServer.onConfiguredPort(config, database);
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
