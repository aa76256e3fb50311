package zisk.distributed.coordinator.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import zisk.distributed.common.metrics.MetricsConfig;

/**
 * Everything a coordinator process is configured with; immutable and validated once at start.
 *
 * @param host bind address of the gRPC server
 * @param port gRPC port (0 picks a free one, for tests)
 * @param serviceName reported by StatusInfo
 * @param environment reported by StatusInfo (development, production, ...)
 * @param databaseUrl JDBC URL of an external PostgreSQL; empty means the embedded one
 * @param dataDir data directory of the embedded PostgreSQL
 * @param migrate whether to apply pending migrations on start
 * @param poolSize most database connections this coordinator opens
 * @param databaseTimeout how long a request waits for a database connection before answering
 *     SYSTEM_UNAVAILABLE
 * @param maxComputeCapacity largest compute capacity a LaunchProof may ask for
 * @param maxAttempts attempts a job gets before it FAILS
 * @param provers heartbeat and reconnection timing of prover streams
 * @param logging logging settings
 * @param tls TLS on the gRPC port; empty serves plaintext
 * @param auth the bearer tokens callers present; none means admin calls from loopback only
 * @param proofs how final proofs are verified before a job completes
 * @param limits what any one caller may cost this coordinator
 * @param timeouts how long a task may run, per phase ({@code [jobs.timeouts]})
 * @param quarantine when a prover that keeps failing gets no new work, and for how long
 * @param lostRanks how a lost prover's rank is recomputed on another prover
 * @param coordinators how coordinators judge each other alive, and forget long-gone ones
 * @param webhooks how job outcomes are POSTed to the webhook_url of their LaunchProof
 * @param metrics where GET /metrics is served; port 0: nowhere
 */
public record CoordinatorConfig(
    String host,
    int port,
    String serviceName,
    String environment,
    Optional<String> databaseUrl,
    Path dataDir,
    boolean migrate,
    int poolSize,
    Duration databaseTimeout,
    int maxComputeCapacity,
    int maxAttempts,
    ProverTiming provers,
    Logging logging,
    Optional<Tls> tls,
    AuthConfig auth,
    ProofVerification proofs,
    Limits limits,
    TaskTimeouts timeouts,
    QuarantinePolicy quarantine,
    LostRanks lostRanks,
    InstanceTiming coordinators,
    WebhookConfig webhooks,
    MetricsConfig metrics) {

  /**
   * @param replacementWait how long a lost prover's rank waits for an idle prover that covers its
   *     allocation before the attempt restarts; zero restarts it at once
   */
  public record LostRanks(Duration replacementWait) {
    public static final LostRanks DEFAULT = new LostRanks(Duration.ofSeconds(30));
  }

  /**
   * @param heartbeatInterval how often the coordinator sends Heartbeat
   * @param heartbeatTimeout silence after which a prover is DISCONNECTED and its work re-queued
   * @param reconnectGrace how long a busy prover whose stream broke may reconnect and keep its work
   */
  public record ProverTiming(
      Duration heartbeatInterval, Duration heartbeatTimeout, Duration reconnectGrace) {
    public static final ProverTiming DEFAULT =
        new ProverTiming(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(30));
  }

  /**
   * Bounds on what any one caller may cost this coordinator (README, "Limits on every request").
   *
   * @param maxProverMessageBytes largest message on a registered prover's stream (results, final
   *     proofs); every other call is held to {@link #ADMIN_MESSAGE_BYTES}
   * @param registerTimeout how long a new ProverStream may wait before it registers
   * @param maxUnregisteredStreams prover streams open at once that have not registered yet
   * @param maxRegistrationsPerSecond registrations and reconnects this coordinator starts per
   *     second
   * @param proverRetention how long a DISCONNECTED prover's row is kept before it is pruned
   * @param maxQueuedJobs QUEUED jobs beyond which LaunchProof answers RESOURCE_EXHAUSTED
   * @param inputs uploaded inputs: their largest size and how long they are kept
   * @param maxWatchers WatchJob calls open at once beyond which WatchJob answers RESOURCE_EXHAUSTED
   */
  public record Limits(
      int maxProverMessageBytes,
      Duration registerTimeout,
      int maxUnregisteredStreams,
      int maxRegistrationsPerSecond,
      Duration proverRetention,
      int maxQueuedJobs,
      InputStorage inputs,
      int maxWatchers) {

    /** Largest message of any call but a registered prover's stream. */
    public static final int ADMIN_MESSAGE_BYTES = 1024 * 1024;

    public static final Limits DEFAULT =
        new Limits(
            256 * 1024 * 1024,
            Duration.ofSeconds(10),
            1_000,
            200,
            Duration.ofHours(24),
            10_000,
            InputStorage.DEFAULT,
            1_000);

    public Limits withRegisterTimeout(Duration timeout) {
      return new Limits(
          maxProverMessageBytes,
          timeout,
          maxUnregisteredStreams,
          maxRegistrationsPerSecond,
          proverRetention,
          maxQueuedJobs,
          inputs,
          maxWatchers);
    }

    public Limits withRegistrations(int maxUnregistered, int perSecond) {
      return new Limits(
          maxProverMessageBytes,
          registerTimeout,
          maxUnregistered,
          perSecond,
          proverRetention,
          maxQueuedJobs,
          inputs,
          maxWatchers);
    }

    public Limits withInputs(InputStorage newInputs) {
      return new Limits(
          maxProverMessageBytes,
          registerTimeout,
          maxUnregisteredStreams,
          maxRegistrationsPerSecond,
          proverRetention,
          maxQueuedJobs,
          newInputs,
          maxWatchers);
    }

    public Limits withMaxWatchers(int newMaxWatchers) {
      return new Limits(
          maxProverMessageBytes,
          registerTimeout,
          maxUnregisteredStreams,
          maxRegistrationsPerSecond,
          proverRetention,
          maxQueuedJobs,
          inputs,
          newMaxWatchers);
    }

    public Limits withMaxQueuedJobs(int maxQueued) {
      return new Limits(
          maxProverMessageBytes,
          registerTimeout,
          maxUnregisteredStreams,
          maxRegistrationsPerSecond,
          proverRetention,
          maxQueued,
          inputs,
          maxWatchers);
    }
  }

  /** Logging settings: level trace..error, format pretty/compact/json, optional file. */
  public record Logging(String level, String format, Optional<String> filePath) {}

  /**
   * TLS on the gRPC port.
   *
   * @param certFile PEM certificate chain the coordinator presents, its own certificate first
   * @param keyFile PEM (PKCS#8) private key of that certificate
   * @param clientCaFile PEM CA certificates; when present, clients must present a certificate
   *     signed by one of them (mutual TLS)
   */
  public record Tls(Path certFile, Path keyFile, Optional<Path> clientCaFile) {}

  public static final int DEFAULT_PORT = 8080;
  public static final int DEFAULT_MAX_COMPUTE_CAPACITY = 10_000;
  public static final int DEFAULT_MAX_ATTEMPTS = 3;

  /**
   * A coordinator for one machine (tests, the demo): loopback, an ephemeral port, the given
   * database.
   */
  public static CoordinatorConfig local(String jdbcUrl) {
    return new CoordinatorConfig(
        "127.0.0.1",
        0,
        "zisk-coordinator",
        "test",
        Optional.of(jdbcUrl),
        Path.of("unused"),
        true,
        5,
        Duration.ofSeconds(2),
        DEFAULT_MAX_COMPUTE_CAPACITY,
        DEFAULT_MAX_ATTEMPTS,
        ProverTiming.DEFAULT,
        new Logging("info", "compact", Optional.empty()),
        Optional.empty(),
        AuthConfig.NONE,
        ProofVerification.DEFAULT,
        Limits.DEFAULT,
        TaskTimeouts.DEFAULT,
        QuarantinePolicy.DEFAULT,
        LostRanks.DEFAULT,
        InstanceTiming.DEFAULT,
        WebhookConfig.DEFAULT,
        MetricsConfig.DISABLED);
  }

  public CoordinatorConfig withPort(int newPort) {
    return copy(edit -> edit.port = newPort);
  }

  public CoordinatorConfig withDatabase(Optional<String> url, Path newDataDir, Duration timeout) {
    return copy(
        edit -> {
          edit.databaseUrl = url;
          edit.dataDir = newDataDir;
          edit.databaseTimeout = timeout;
        });
  }

  /** The same configuration with another way of verifying final proofs. */
  public CoordinatorConfig withProofVerification(ProofVerification verification) {
    return copy(edit -> edit.proofs = verification);
  }

  public CoordinatorConfig withProverTiming(ProverTiming timing) {
    return copy(edit -> edit.provers = timing);
  }

  /** The same configuration with TLS on the port (empty: plaintext). */
  public CoordinatorConfig withTls(Optional<Tls> newTls) {
    return copy(edit -> edit.tls = newTls);
  }

  /** The same configuration with these tokens. */
  public CoordinatorConfig withAuth(AuthConfig newAuth) {
    return copy(edit -> edit.auth = newAuth);
  }

  public CoordinatorConfig withLimits(Limits newLimits) {
    return copy(edit -> edit.limits = newLimits);
  }

  /** The same configuration with another wait for lost ranks' replacements. */
  public CoordinatorConfig withLostRanks(LostRanks newLostRanks) {
    return copy(edit -> edit.lostRanks = newLostRanks);
  }

  /** The same configuration with other webhook settings. */
  public CoordinatorConfig withWebhooks(WebhookConfig newWebhooks) {
    return copy(edit -> edit.webhooks = newWebhooks);
  }

  /** This configuration with the components {@code change} sets replaced. */
  private CoordinatorConfig copy(Consumer<Copy> change) {
    Copy edit = new Copy(this);
    change.accept(edit);
    return edit.build();
  }

  /** A mutable copy of every component, for the with* methods. */
  private static final class Copy {
    private String host;
    private int port;
    private String serviceName;
    private String environment;
    private Optional<String> databaseUrl;
    private Path dataDir;
    private boolean migrate;
    private int poolSize;
    private Duration databaseTimeout;
    private int maxComputeCapacity;
    private int maxAttempts;
    private ProverTiming provers;
    private Logging logging;
    private Optional<Tls> tls;
    private AuthConfig auth;
    private ProofVerification proofs;
    private Limits limits;
    private TaskTimeouts timeouts;
    private QuarantinePolicy quarantine;
    private LostRanks lostRanks;
    private InstanceTiming coordinators;
    private WebhookConfig webhooks;
    private MetricsConfig metrics;

    Copy(CoordinatorConfig from) {
      host = from.host;
      port = from.port;
      serviceName = from.serviceName;
      environment = from.environment;
      databaseUrl = from.databaseUrl;
      dataDir = from.dataDir;
      migrate = from.migrate;
      poolSize = from.poolSize;
      databaseTimeout = from.databaseTimeout;
      maxComputeCapacity = from.maxComputeCapacity;
      maxAttempts = from.maxAttempts;
      provers = from.provers;
      logging = from.logging;
      tls = from.tls;
      auth = from.auth;
      proofs = from.proofs;
      limits = from.limits;
      timeouts = from.timeouts;
      quarantine = from.quarantine;
      lostRanks = from.lostRanks;
      coordinators = from.coordinators;
      webhooks = from.webhooks;
      metrics = from.metrics;
    }

    CoordinatorConfig build() {
      return new CoordinatorConfig(
          host,
          port,
          serviceName,
          environment,
          databaseUrl,
          dataDir,
          migrate,
          poolSize,
          databaseTimeout,
          maxComputeCapacity,
          maxAttempts,
          provers,
          logging,
          tls,
          auth,
          proofs,
          limits,
          timeouts,
          quarantine,
          lostRanks,
          coordinators,
          webhooks,
          metrics);
    }
  }
}
