package zisk.distributed.coordinator;

import io.grpc.Codec;
import io.grpc.DecompressorRegistry;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.common.logging.GrpcLogBridge;
import zisk.distributed.common.metrics.MetricsEndpoint;
import zisk.distributed.coordinator.api.AdminApi;
import zisk.distributed.coordinator.api.AuthInterceptor;
import zisk.distributed.coordinator.api.ErrorMapper;
import zisk.distributed.coordinator.api.InputDownloads;
import zisk.distributed.coordinator.api.InputUploads;
import zisk.distributed.coordinator.api.MalformedRequests;
import zisk.distributed.coordinator.api.MessageLimits;
import zisk.distributed.coordinator.api.ProverStreams;
import zisk.distributed.coordinator.api.RegistrationGate;
import zisk.distributed.coordinator.api.WebhookUrls;
import zisk.distributed.coordinator.api.ZiskApiService;
import zisk.distributed.coordinator.auth.Gate;
import zisk.distributed.coordinator.config.CoordinatorConfig;
import zisk.distributed.coordinator.config.InstanceTiming;
import zisk.distributed.coordinator.config.ProofVerification;
import zisk.distributed.coordinator.health.DatabaseHealth;
import zisk.distributed.coordinator.lifecycle.JobLifecycle;
import zisk.distributed.coordinator.lifecycle.ProverRegistrations;
import zisk.distributed.coordinator.lifecycle.Quarantine;
import zisk.distributed.coordinator.lifecycle.TaskTimeout;
import zisk.distributed.coordinator.metrics.CoordinatorMetrics;
import zisk.distributed.coordinator.scheduling.Admission;
import zisk.distributed.coordinator.scheduling.DeadlineSweep;
import zisk.distributed.coordinator.scheduling.Dispatcher;
import zisk.distributed.coordinator.scheduling.FinalProofChecks;
import zisk.distributed.coordinator.scheduling.HeartbeatWriter;
import zisk.distributed.coordinator.scheduling.InputRetention;
import zisk.distributed.coordinator.scheduling.InputSpool;
import zisk.distributed.coordinator.scheduling.InstanceHeartbeat;
import zisk.distributed.coordinator.scheduling.JobWatchers;
import zisk.distributed.coordinator.scheduling.Notifications;
import zisk.distributed.coordinator.scheduling.ProverVacuum;
import zisk.distributed.coordinator.scheduling.Pruning;
import zisk.distributed.coordinator.scheduling.ReportWriter;
import zisk.distributed.coordinator.scheduling.Scheduler;
import zisk.distributed.coordinator.scheduling.Sweeper;
import zisk.distributed.coordinator.scheduling.TakenOverStreams;
import zisk.distributed.coordinator.scheduling.WebhookDeliveries;
import zisk.distributed.coordinator.session.SessionRegistry;
import zisk.distributed.coordinator.store.Database;
import zisk.distributed.coordinator.store.Migrations;
import zisk.distributed.coordinator.store.Store;
import zisk.distributed.coordinator.verification.ProofVerifiers;

/**
 * One coordinator process: prepares the schema, registers itself in {@code coordinator_instances},
 * and serves the ZisK API, gRPC health and server reflection. Owns the lifecycle ({@link #start},
 * {@link #stop}, {@link #blockUntilShutdown}); takes a {@link ServerBuilder} so tests can serve
 * in-process.
 */
public final class CoordinatorServer {

  private static final Logger log = LoggerFactory.getLogger(CoordinatorServer.class);

  static final Duration HEALTH_PROBE = Duration.ofSeconds(2);
  static final Duration STARTUP_DATABASE_WAIT = Duration.ofSeconds(60);

  // Batched heartbeat writes, and the slow poll that catches any missed wake-up.
  static final Duration HEARTBEAT_FLUSH = Duration.ofSeconds(1);
  static final Duration POLL = Duration.ofSeconds(1);
  // Report transactions open at once (see ReportWriter): one per core, 2 to 8. More lanes than
  // cores only made the batches smaller and the commits more (on 2 cores, 4 lanes ran about a
  // tenth slower than 2; README "Performance"). And the most reports one transaction commits.
  static final int REPORT_LANES =
      Math.max(2, Math.min(8, Runtime.getRuntime().availableProcessors()));
  static final int REPORT_BATCH = 64;

  private final CoordinatorConfig config;
  private final Database database;
  private final ServerBuilder<?> serverBuilder;
  private final Clock clock;
  private final UUID instanceId = UUID.randomUUID();
  private final Housekeeping housekeeping = new Housekeeping();
  private final CoordinatorMetrics metrics = new CoordinatorMetrics();

  private Server server;
  private DatabaseHealth health;
  private Store store;
  private Scheduler scheduler;
  private ReportWriter reports;
  private FinalProofChecks proofChecks;
  private ProverStreams streams;
  private JobWatchers jobWatchers;
  private RegistrationGate registrationGate;
  private WebhookDeliveries webhooks;
  private MetricsEndpoint metricsEndpoint;

  public CoordinatorServer(
      CoordinatorConfig config, Database database, ServerBuilder<?> serverBuilder, Clock clock) {
    this.config = config;
    this.database = database;
    this.serverBuilder = serverBuilder;
    this.clock = clock;
  }

  /**
   * A server on the configured host and port, with TLS when configured.
   *
   * @throws zisk.distributed.common.config.ConfigException when a TLS file cannot be used
   */
  public static CoordinatorServer onConfiguredPort(CoordinatorConfig config, Database database) {
    return onConfiguredPort(config, database, ServerSecurity.credentials(config.tls()));
  }

  static CoordinatorServer onConfiguredPort(
      CoordinatorConfig config, Database database, ServerCredentials credentials) {
    ServerBuilder<?> builder =
        NettyServerBuilder.forAddress(
                new InetSocketAddress(config.host(), config.port()), credentials)
            // Workers hold their streams for hours; let them ping, and notice dead peers.
            .permitKeepAliveTime(10, TimeUnit.SECONDS)
            .keepAliveTime(30, TimeUnit.SECONDS)
            .keepAliveTimeout(10, TimeUnit.SECONDS);
    return new CoordinatorServer(config, database, builder, Clock.systemUTC());
  }

  public CoordinatorServer start() throws IOException {
    database.awaitReady(STARTUP_DATABASE_WAIT);
    new Migrations(database.dataSource()).prepare(config.migrate());

    database.bindMetrics(metrics.registry());
    Store store = new Store(database.dataSource());
    HealthStatusManager healthStatus = new HealthStatusManager();
    health = new DatabaseHealth(database::ping, healthStatus);
    this.store = store;
    // The instance row must exist before any prover row can name it.
    store.read(
        tx ->
            tx.instances()
                .register(instanceId, config.host() + ":" + config.port(), Version.get()));
    InstanceTiming instances = config.coordinators();
    InstanceHeartbeat instanceHeartbeat =
        new InstanceHeartbeat(store, instanceId, instances, clock, Instant.now(clock));

    CoordinatorConfig.ProverTiming timing = config.provers();
    SessionRegistry sessions = new SessionRegistry();
    ProofVerification proofs = config.proofs();
    JobLifecycle lifecycle =
        new JobLifecycle(
            store,
            instanceId,
            new Quarantine(config.quarantine(), proofs.invalidProofHold(), clock),
            config.lostRanks().replacementWait());
    Dispatcher dispatcher = new Dispatcher(store, sessions, instanceId);
    HeartbeatWriter heartbeats = new HeartbeatWriter(store, instanceId);
    Notifications notifications = new Notifications(store, database.jdbcUrl());
    webhooks =
        new WebhookDeliveries(
            store, instanceId, config.webhooks(), POLL, clock, metrics.webhooks()::delivered);
    notifications.onWebhook(webhooks::wake);
    notifications.countedBy(metrics.events()::notification);
    // A stream counts as live while acknowledgements keep coming: two heartbeats plus slack.
    Duration liveness = timing.heartbeatInterval().multipliedBy(2).plusSeconds(2);
    jobWatchers = new JobWatchers(store, instanceId, notifications, config.limits().maxWatchers());
    scheduler =
        new Scheduler(
            new Admission(lifecycle, liveness, instances.liveness(), clock),
            dispatcher,
            new Sweeper(
                store,
                lifecycle,
                sessions,
                instanceId,
                timing.heartbeatTimeout(),
                timing.reconnectGrace(),
                instances.liveness(),
                instanceHeartbeat::mayJudgeOthers,
                clock),
            new DeadlineSweep(store, new TaskTimeout(lifecycle), config.timeouts()),
            heartbeats,
            sessions,
            notifications,
            new Scheduler.Periods(
                timing.heartbeatInterval(), HEARTBEAT_FLUSH, sweepPeriod(timing), POLL),
            metrics.events());
    reports = new ReportWriter(dispatcher, lifecycle, scheduler::apply, REPORT_LANES, REPORT_BATCH);
    InputSpool spool = new InputSpool(store, InputSpool.createDir());
    proofChecks =
        new FinalProofChecks(
            store,
            spool,
            ProofVerifiers.from(proofs.withExtraInputsDir(spool.dir())),
            reports,
            proofs.verifyConcurrency());
    ProverRegistrations registrations =
        new ProverRegistrations(
            store,
            lifecycle,
            instanceId,
            liveness,
            proverId ->
                sessions
                    .find(proverId)
                    .filter(session -> session.heardWithin(liveness))
                    .isPresent());
    CoordinatorConfig.Limits limits = config.limits();
    MessageLimits messageLimits =
        new MessageLimits(
            CoordinatorConfig.Limits.ADMIN_MESSAGE_BYTES, limits.maxProverMessageBytes());
    registrationGate =
        new RegistrationGate(
            limits.registerTimeout(),
            limits.maxUnregisteredStreams(),
            limits.maxRegistrationsPerSecond(),
            config.poolSize(),
            config.databaseTimeout());
    streams =
        new ProverStreams(
            registrations,
            reports,
            proofChecks,
            heartbeats,
            dispatcher,
            scheduler,
            sessions,
            registrationGate,
            messageLimits,
            clock,
            jobWatchers);
    AdminApi admin =
        new AdminApi(
            lifecycle,
            store,
            instances.liveness(),
            config.maxComputeCapacity(),
            config.maxAttempts(),
            new AdminApi.Identity(
                config.serviceName(),
                Version.get(),
                config.environment(),
                instanceId,
                Instant.now(clock)),
            sessions::size,
            clock,
            scheduler::launch,
            scheduler::apply,
            config.limits().maxQueuedJobs(),
            config.timeouts(),
            new WebhookUrls(config.webhooks()));

    Gate gate = new Gate(config.auth());
    ErrorMapper errors = new ErrorMapper(health);
    GrpcLogBridge.install();
    // Every message is limited while it arrives (MessageLimits); compressed ones are refused, or
    // a small message on the wire could inflate past any limit. Unparseable requests answer
    // INVALID_ARGUMENT (MalformedRequests); the guard wraps the auth interceptor, which reads the
    // parsed first message of a ProverStream.
    server =
        serverBuilder
            .maxInboundMessageSize(messageLimits.serverLimit())
            .addStreamTracerFactory(messageLimits)
            .decompressorRegistry(
                DecompressorRegistry.emptyInstance().with(Codec.Identity.NONE, false))
            .addService(
                MalformedRequests.guard(
                    ServerInterceptors.intercept(
                        new ZiskApiService(
                            admin,
                            streams,
                            health,
                            errors,
                            new InputUploads(
                                store, config.limits().inputs().maxSizeBytes(), errors),
                            new InputDownloads(store, errors),
                            jobWatchers),
                        new AuthInterceptor(gate),
                        metrics.grpcInterceptor())))
            .addService(MalformedRequests.guard(healthStatus.getHealthService().bindService()))
            .addService(
                MalformedRequests.guard(ProtoReflectionServiceV1.newInstance().bindService()))
            .addService(MalformedRequests.guard(ProtoReflectionService.newInstance().bindService()))
            .build()
            .start();
    health.start(HEALTH_PROBE.toMillis());
    scheduler.start();
    scheduler.requestAdmission();
    webhooks.start();
    store.read(tx -> tx.instances().setAddress(instanceId, config.host() + ":" + port()));

    TakenOverStreams takenOver = new TakenOverStreams(store, sessions, instanceId);
    housekeeping.every(
        instanceHeartbeat.period(),
        () -> {
          if (instanceHeartbeat.beat()) {
            takenOver.close();
          }
        });
    Pruning proverPruning = Pruning.provers(store, config.limits().proverRetention());
    Pruning instancePruning = Pruning.instances(store, config.coordinators().retention());
    InputRetention retention = new InputRetention(store, config.limits().inputs().retention());
    housekeeping.every(InputRetention.PERIOD, retention::expire);
    housekeeping.nowAndEvery(Pruning.PERIOD, proverPruning::prune, instancePruning::prune);
    housekeeping.nowAndEvery(ProverVacuum.PERIOD, new ProverVacuum(store)::run);
    housekeeping.nowAndEvery(
        CoordinatorMetrics.CLUSTER_REFRESH, metrics.cluster(store, clock)::refresh);
    if (config.metrics().enabled()) {
      metricsEndpoint =
          MetricsEndpoint.start(
              config.metrics().host(), config.metrics().port(), metrics.registry());
      log.info("Metrics on http://{}:{}/metrics", config.metrics().host(), metricsEndpoint.port());
    }
    log.info(
        "ZisK coordinator {} serving on {}:{}, {} (instance {})",
        Version.get(),
        config.host(),
        port(),
        ServerSecurity.describe(config.tls()),
        instanceId);
    ServerSecurity.logAuthMode(gate, config.host(), port());
    return this;
  }

  /** The bound port (useful when configured with port 0); -1 for an in-process server. */
  public int port() {
    return server.getPort();
  }

  /** This coordinator's meters (tests scrape them; the webhook sender counts deliveries). */
  public CoordinatorMetrics metrics() {
    return metrics;
  }

  public UUID instanceId() {
    return instanceId;
  }

  /** Stops serving: in-flight calls get a moment to finish; the instance row is marked stopped. */
  public void stop() {
    if (server == null) {
      return;
    }
    log.info("Coordinator instance {} stopping", instanceId);
    scheduler.close();
    webhooks.close();
    proofChecks.close();
    reports.close();
    // Workers reconnect (elsewhere, or here after a restart) and keep their work; see README.
    jobWatchers.close();
    streams.closeAll("coordinator " + instanceId + " is shutting down; reconnect");
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
    housekeeping.close();
    if (metricsEndpoint != null) {
      metricsEndpoint.close();
    }
    registrationGate.close();
    health.close();
    try {
      store.read(tx -> tx.instances().markStopped(instanceId));
    } catch (RuntimeException e) {
      log.warn("Could not mark instance {} stopped: {}", instanceId, e.getMessage());
    }
  }

  private static Duration sweepPeriod(CoordinatorConfig.ProverTiming timing) {
    Duration quarter = timing.heartbeatTimeout().dividedBy(4);
    return quarter.compareTo(Duration.ofSeconds(2)) > 0 ? Duration.ofSeconds(2) : quarter;
  }

  public void blockUntilShutdown() throws InterruptedException {
    server.awaitTermination();
  }
}
