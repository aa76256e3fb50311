package zisk.distributed.worker;

import io.grpc.ManagedChannel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import zisk.distributed.common.config.ConfigException;
import zisk.distributed.common.config.LayeredConfig;
import zisk.distributed.common.logging.LoggingSetup;
import zisk.distributed.common.rules.ComputeUnits;
import zisk.distributed.common.rules.ProverIds;
import zisk.distributed.worker.config.ConfigTemplate;
import zisk.distributed.worker.config.InputCacheSettings;
import zisk.distributed.worker.config.NativeProverSettings;
import zisk.distributed.worker.config.WorkerConfig;
import zisk.distributed.worker.config.WorkerSettings;
import zisk.distributed.worker.connection.Channels;
import zisk.distributed.worker.connection.CoordinatorEndpoint;
import zisk.distributed.worker.prover.ProverBackend;

/**
 * {@code worker}: runs a prover worker until the coordinator shuts it down or the process gets
 * SIGTERM. Exit status 0 after a clean stop, 2 for a configuration error.
 *
 * <p>The prover backends come from the launcher through a factory, given the configuration (whose
 * {@code backend} names one): the factory returns null (or throws {@link IllegalArgumentException})
 * for a name it does not know.
 */
@Command(
    name = "worker",
    mixinStandardHelpOptions = true,
    versionProvider = WorkerCommand.Version.class,
    sortOptions = false,
    description = {
      "Runs a ZisK prover worker: connects to a coordinator over ProverStream, registers its compute "
          + "capacity, answers heartbeats and runs proving tasks one at a time.",
      "Settings come from flags, then the config file (--config or CONFIG_PATH), then DISTRIBUTED_* "
          + "environment variables, then defaults."
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:stopped cleanly (the coordinator sent Shutdown)",
      "2:invalid configuration or usage",
      "143:stopped by SIGTERM (the coordinator re-queues any work it had)"
    })
public final class WorkerCommand implements Callable<Integer> {

  static final int EXIT_OK = 0;
  static final int EXIT_CONFIG = 2;

  @Spec CommandSpec spec;

  @Option(
      names = "--url",
      split = ",",
      paramLabel = "URL",
      description =
          "Coordinator URL: http://host:port (plaintext), https://host:port (TLS) or host:port. "
              + "Repeat it or separate with commas for failover, in order. "
              + "Env: DISTRIBUTED_SERVER_URL; file: server.url; default: "
              + WorkerSettings.DEFAULT_SERVER_URL
              + ".")
  List<String> urls;

  @Option(
      names = "--ca-file",
      paramLabel = "FILE",
      description =
          "PEM CA certificate(s) to trust for https:// URLs. "
              + "Env: DISTRIBUTED_CA_FILE; file: server.ca_file; default: the system trust store.")
  String caFile;

  @Option(
      names = "--tls-cert-file",
      paramLabel = "FILE",
      description =
          "PEM client certificate for a coordinator that requires mutual TLS (with --tls-key-file). "
              + "Env: DISTRIBUTED_TLS_CERT_FILE; file: server.tls_cert_file; default: none.")
  String tlsCertFile;

  @Option(
      names = "--tls-key-file",
      paramLabel = "FILE",
      description =
          "PEM (PKCS#8) private key of --tls-cert-file. "
              + "Env: DISTRIBUTED_TLS_KEY_FILE; file: server.tls_key_file; default: none.")
  String tlsKeyFile;

  @Option(
      names = "--prover-id",
      paramLabel = "ID",
      description =
          "Id of this prover (printable ASCII without spaces, 1 to "
              + ProverIds.MAX_LENGTH
              + " characters). "
              + "Env: DISTRIBUTED_PROVER_ID; file: prover.prover_id; default: a random UUID.")
  String proverId;

  @Option(
      names = "--compute-units",
      paramLabel = "N",
      description =
          "Compute units this prover offers (1 to "
              + ComputeUnits.MAX_PER_PROVER
              + "). "
              + "Env: DISTRIBUTED_COMPUTE_UNITS; "
              + "file: prover.compute_capacity.compute_units; default: the number of CPUs.")
  String computeUnits;

  @Option(
      names = "--backend",
      paramLabel = "NAME",
      description =
          "Prover backend: reference or native. Env: DISTRIBUTED_PROVER_BACKEND; file:"
              + " prover.backend; default: "
              + WorkerSettings.DEFAULT_BACKEND
              + ".")
  String backend;

  @Option(
      names = "--prover-command",
      paramLabel = "\"CMD ARGS\"",
      description =
          "Native prover program and arguments, split into words as a shell would (no shell runs)."
              + " Env: DISTRIBUTED_PROVER_COMMAND; file: prover.native.command (an array);"
              + " default: none.")
  String proverCommand;

  @Option(
      names = "--gpus",
      paramLabel = "LIST",
      description =
          "GPUs of the native prover, comma-separated (0,1), passed as CUDA_VISIBLE_DEVICES. Env:"
              + " DISTRIBUTED_GPUS; file: prover.native.gpus; default: unset.")
  String gpus;

  @Option(
      names = "--prover-env",
      paramLabel = "NAME=VALUE",
      description =
          "Extra environment variable of the native prover; repeat it for several. Env:"
              + " DISTRIBUTED_PROVER_ENV (NAME=VALUE words); file: [prover.native.env]; default:"
              + " none.")
  List<String> proverEnv;

  @Option(
      names = "--token",
      paramLabel = "SECRET",
      description =
          "Prover token secret, sent as 'authorization: Bearer' to the coordinator. Env:"
              + " DISTRIBUTED_TOKEN (keeps it out of the process list); file: auth.token; default:"
              + " none.")
  String token;

  @Option(
      names = "--inputs-dir",
      paramLabel = "DIR",
      description =
          "Directory task inputs are read from; repeat it for several. input_path must name a "
              + "regular file inside one (links resolved); a relative one is taken in the first. "
              + "Env: DISTRIBUTED_INPUTS_DIRS (comma-separated); file: prover.inputs_dirs; "
              + "default: ./"
              + WorkerSettings.DEFAULT_INPUTS_DIR
              + ".")
  List<String> inputsDirs;

  @Option(
      names = "--max-input-bytes",
      paramLabel = "BYTES",
      description =
          "Largest input file read, in bytes. Env: DISTRIBUTED_MAX_INPUT_BYTES; "
              + "file: prover.max_input_bytes; default: "
              + WorkerSettings.DEFAULT_MAX_INPUT_BYTES
              + " (64 MiB).")
  String maxInputBytes;

  @Option(
      names = "--input-cache-dir",
      paramLabel = "DIR",
      description =
          "Directory uploaded inputs are fetched into. Env: DISTRIBUTED_INPUTS_CACHE_DIR; "
              + "file: inputs.cache_dir; default: ~/.zisk/worker/input-cache.")
  String inputCacheDir;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "TOML config file. Env: CONFIG_PATH; default: none. Other settings there "
              + "(connection.reconnect_interval_seconds, connection.max_reconnect_interval_seconds, "
              + "connection.heartbeat_timeout_seconds, logging.level, logging.format, logging.file_path, "
              + "the rest of prover.native.*) "
              + "are listed by --generate-config.")
  Path configFile;

  @Option(
      names = "--metrics-port",
      paramLabel = "PORT",
      description =
          "HTTP port of GET /metrics (metrics.port, DISTRIBUTED_METRICS_PORT; default 0: none).")
  Integer metricsPort;

  @Option(
      names = "--generate-config",
      arity = "0..1",
      paramLabel = "FILE",
      fallbackValue = "-",
      description =
          "Write a documented config template to FILE (standard output when FILE is omitted) and exit.")
  String generateConfig;

  private final Function<WorkerConfig, ProverBackend> backends;
  private final Map<String, String> env;

  /** The command as the launcher runs it, reading the process environment. */
  public WorkerCommand(Function<WorkerConfig, ProverBackend> backends) {
    this(backends, System.getenv());
  }

  /** The command with an explicit environment (for tests). */
  public WorkerCommand(Function<WorkerConfig, ProverBackend> backends, Map<String, String> env) {
    this.backends = backends;
    this.env = env;
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    if (generateConfig != null) {
      return writeTemplate(err);
    }

    WorkerConfig config;
    Function<CoordinatorEndpoint, ManagedChannel> channels;
    try {
      config =
          WorkerConfig.load(
              env,
              configFile(),
              LayeredConfig.flags(
                  WorkerSettings.SERVER_URL.fileKey(), urls == null ? null : String.join(",", urls),
                  WorkerSettings.CA_FILE.fileKey(), caFile,
                  WorkerSettings.TLS_CERT_FILE.fileKey(), tlsCertFile,
                  WorkerSettings.TLS_KEY_FILE.fileKey(), tlsKeyFile,
                  WorkerSettings.PROVER_ID.fileKey(), proverId,
                  WorkerSettings.COMPUTE_UNITS.fileKey(), computeUnits,
                  WorkerSettings.BACKEND.fileKey(), backend,
                  NativeProverSettings.COMMAND.fileKey(), proverCommand,
                  NativeProverSettings.GPUS.fileKey(), gpus,
                  NativeProverSettings.ENV.fileKey(),
                      proverEnv == null
                          ? null
                          : String.join(LayeredConfig.LIST_SEPARATOR, proverEnv)
                              + LayeredConfig.LIST_SEPARATOR,
                  WorkerSettings.TOKEN.fileKey(), token,
                  WorkerSettings.INPUTS_DIRS.fileKey(),
                      inputsDirs == null
                          ? null
                          : String.join(LayeredConfig.LIST_SEPARATOR, inputsDirs),
                  WorkerSettings.MAX_INPUT_BYTES.fileKey(), maxInputBytes,
                  InputCacheSettings.CACHE_DIR.fileKey(), inputCacheDir,
                  WorkerSettings.METRICS_PORT.fileKey(), metricsPort));
      // Reads the TLS files now: a bad one stops the start, not every connection attempt.
      channels = Channels.opener(config.tls(), config.token());
    } catch (ConfigException e) {
      err.println("error: " + e.getMessage());
      err.flush();
      return EXIT_CONFIG;
    }
    LoggingSetup.configure(
        config.logging().level(), config.logging().format(), config.logging().filePath());

    ProverBackend prover;
    try {
      prover = backends.apply(config);
    } catch (IllegalArgumentException e) {
      err.println("error: prover backend '" + config.backend() + "': " + e.getMessage());
      err.flush();
      return EXIT_CONFIG;
    }
    if (prover == null) {
      err.println("error: unknown prover backend '" + config.backend() + "'");
      err.flush();
      return EXIT_CONFIG;
    }

    try (prover) {
      Worker worker = new Worker(config, prover, new Random(), channels);
      // SIGTERM (docker stop, systemd): finish or abandon the running task, then close the stream.
      // The hook also stops the backend: the JVM may exit before this thread gets to close it, and
      // a native prover must get its shutdown (or be killed) rather than outlive the worker.
      Thread hook =
          new Thread(
              () -> {
                worker.stop();
                prover.close();
              },
              "zisk-worker-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      worker.start();
      worker.awaitTermination();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // The JVM is already shutting down; the hook is running or has run.
      }
    }
    return EXIT_OK;
  }

  private Path configFile() {
    if (configFile != null) {
      return configFile;
    }
    String fromEnv = env.get(WorkerSettings.CONFIG_PATH_ENV);
    return fromEnv == null || fromEnv.isBlank() ? null : Path.of(fromEnv.trim());
  }

  private int writeTemplate(PrintWriter err) throws IOException {
    String template = ConfigTemplate.render();
    if ("-".equals(generateConfig)) {
      PrintWriter out = spec.commandLine().getOut();
      out.print(template);
      out.flush();
      return EXIT_OK;
    }
    Path target = Path.of(generateConfig);
    if (Files.exists(target)) {
      err.println("error: " + target + " already exists; not overwriting it");
      err.flush();
      return EXIT_CONFIG;
    }
    Files.writeString(target, template);
    err.println("wrote config template to " + target);
    err.flush();
    return EXIT_OK;
  }

  /** The version from the jar manifest, or "development" when run from classes. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = WorkerCommand.class.getPackage().getImplementationVersion();
      return new String[] {"zisk worker " + (version == null ? "development" : version)};
    }
  }
}
