package zisk.distributed.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import zisk.distributed.api.v1.GetProofRequest;
import zisk.distributed.api.v1.JobStatus;
import zisk.distributed.api.v1.JobStatusRequest;
import zisk.distributed.api.v1.LaunchProofRequest;
import zisk.distributed.api.v1.ProverInfo;
import zisk.distributed.api.v1.ProversListRequest;
import zisk.distributed.api.v1.ZiskDistributedApiGrpc;
import zisk.distributed.api.v1.ZiskDistributedApiGrpc.ZiskDistributedApiBlockingStub;
import zisk.distributed.common.inputs.InputFiles;
import zisk.distributed.coordinator.config.AuthConfig;
import zisk.distributed.coordinator.config.CoordinatorConfig;
import zisk.distributed.coordinator.config.CoordinatorConfig.ProverTiming;
import zisk.distributed.coordinator.config.ProofVerification;
import zisk.distributed.coordinator.testing.BearerTokens;
import zisk.distributed.coordinator.testing.RawProver;
import zisk.distributed.coordinator.testing.RunningCoordinator;
import zisk.distributed.coordinator.testing.TcpProxy;
import zisk.distributed.coordinator.testing.TestDatabase;
import zisk.distributed.reference.ReferenceInput;
import zisk.distributed.reference.ReferenceVerifier;
import zisk.distributed.reference.VerificationResult;
import zisk.distributed.worker.Worker;
import zisk.distributed.worker.config.InputCacheSettings;
import zisk.distributed.worker.config.NativeProverConfig;
import zisk.distributed.worker.config.WorkerConfig;
import zisk.distributed.worker.config.WorkerSettings;
import zisk.distributed.worker.connection.BearerToken;
import zisk.distributed.worker.connection.ClientTls;
import zisk.distributed.worker.connection.CoordinatorEndpoint;
import zisk.distributed.worker.prover.ProverBackend;
import zisk.distributed.worker.prover.nativeprover.NativeProverBackend;
import zisk.distributed.worker.testing.ControlledBackend;

/**
 * A whole proving cluster in one JVM for end-to-end tests: a real coordinator on a fresh PostgreSQL
 * database and a real TCP port, real {@link Worker}s dialing it over sockets (directly or through a
 * {@link TcpProxy} the test can cut), and hand-driven {@link RawProver} streams. Closing it stops
 * everything it started.
 */
final class Cluster implements AutoCloseable {

  /**
   * Short prover timing so failure paths play out in seconds. The sweeps judge silence and grace in
   * whole seconds, so neither is below one second.
   */
  static final ProverTiming FAST =
      new ProverTiming(Duration.ofMillis(500), Duration.ofSeconds(3), Duration.ofSeconds(2));

  /** How long a test waits for anything the cluster should do. */
  static final Duration WAIT = Duration.ofSeconds(30);

  private static final Duration WORKER_HEARTBEAT_TIMEOUT = Duration.ofSeconds(3);

  private final RunningCoordinator coordinator;
  private final Channel apiChannel;
  private final List<Worker> workers = new ArrayList<>();
  private final List<ProverBackend> backends = new ArrayList<>();
  private final List<TcpProxy> proxies = new ArrayList<>();
  private final List<RawProver> rawProvers = new ArrayList<>();

  /**
   * The workers' only inputs directory, and the coordinator's (as in the quick start, both read
   * inputs from the same directory); {@link #referenceInput()} writes there.
   */
  private final Path inputsDir;

  private Cluster(RunningCoordinator coordinator, Channel apiChannel, Path inputsDir) {
    this.coordinator = coordinator;
    this.apiChannel = apiChannel;
    this.inputsDir = inputsDir;
  }

  private static Path newInputsDir() {
    try {
      return Files.createTempDirectory("zisk-e2e-inputs");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code config} with the coordinator's verifier reading job inputs from {@code inputsDir}. */
  private static CoordinatorConfig readingInputsFrom(CoordinatorConfig config, Path inputsDir) {
    return config.withProofVerification(config.proofs().withInputsDirs(List.of(inputsDir)));
  }

  static Cluster start() {
    return start(FAST);
  }

  static Cluster start(ProverTiming timing) {
    Path inputs = newInputsDir();
    CoordinatorConfig config =
        CoordinatorConfig.local(TestDatabase.freshJdbcUrl()).withProverTiming(timing);
    config = readingInputsFrom(config, inputs);
    RunningCoordinator coordinator = RunningCoordinator.onTcp(config);
    return new Cluster(coordinator, coordinator.channel(), inputs);
  }

  /** A cluster whose coordinator has tokens; the test's own calls present {@code callerSecret}. */
  static Cluster startWithTokens(AuthConfig auth, String callerSecret) {
    Path inputs = newInputsDir();
    CoordinatorConfig config =
        CoordinatorConfig.local(TestDatabase.freshJdbcUrl()).withProverTiming(FAST).withAuth(auth);
    config = readingInputsFrom(config, inputs);
    RunningCoordinator coordinator = RunningCoordinator.onTcp(config);
    return new Cluster(
        coordinator, BearerTokens.withToken(coordinator.channel(), callerSecret), inputs);
  }

  /**
   * A cluster whose coordinator serves TLS; the test's own client dials it with these credentials.
   */
  static Cluster startWithTls(CoordinatorConfig.Tls tls, ChannelCredentials clientCredentials) {
    Path inputs = newInputsDir();
    CoordinatorConfig config =
        CoordinatorConfig.local(TestDatabase.freshJdbcUrl())
            .withProverTiming(FAST)
            .withTls(Optional.of(tls));
    config = readingInputsFrom(config, inputs);
    RunningCoordinator coordinator = RunningCoordinator.onTcp(config, clientCredentials);
    return new Cluster(coordinator, coordinator.channel(), inputs);
  }

  /**
   * A cluster whose coordinator verifies final proofs as {@code proofs} says, in its inputs dir.
   */
  static Cluster start(ProofVerification proofs) {
    Path inputs = newInputsDir();
    CoordinatorConfig config =
        CoordinatorConfig.local(TestDatabase.freshJdbcUrl())
            .withProverTiming(FAST)
            .withProofVerification(proofs);
    config = readingInputsFrom(config, inputs);
    RunningCoordinator coordinator = RunningCoordinator.onTcp(config);
    return new Cluster(coordinator, coordinator.channel(), inputs);
  }

  ZiskDistributedApiBlockingStub api() {
    return ZiskDistributedApiGrpc.newBlockingStub(apiChannel)
        .withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  RunningCoordinator coordinator() {
    return coordinator;
  }

  /** Starts a worker that dials the coordinator directly. */
  Worker worker(String proverId, int computeUnits, ProverBackend backend) {
    return startWorker(proverId, computeUnits, backend, coordinator.server().port(), null);
  }

  /**
   * Starts a worker with the native backend, running the prover {@code nativeProver} names; it
   * registers once that prover is ready.
   */
  Worker nativeWorker(String proverId, int computeUnits, NativeProverConfig nativeProver) {
    ProverBackend backend =
        new NativeProverBackend(
            nativeProver, proverId, Duration.ofMillis(100), Duration.ofMillis(500));
    return startWorker(proverId, computeUnits, backend, coordinator.server().port(), null);
  }

  /** Starts a worker that dials the coordinator directly and presents {@code token}. */
  Worker worker(String proverId, int computeUnits, ProverBackend backend, BearerToken token) {
    return startWorker(proverId, computeUnits, backend, coordinator.server().port(), token);
  }

  /** Starts a worker that dials the coordinator at https://127.0.0.1:PORT with these settings. */
  Worker httpsWorker(String proverId, int computeUnits, ProverBackend backend, ClientTls tls) {
    return startWorker(
        proverId, computeUnits, backend, "https://127.0.0.1:" + coordinator.server().port(), tls);
  }

  /** Starts a worker whose stream goes through a proxy the test can cut and restore. */
  TcpProxy workerBehindProxy(String proverId, int computeUnits, ProverBackend backend) {
    TcpProxy proxy = new TcpProxy("127.0.0.1", coordinator.server().port());
    proxies.add(proxy);
    startWorker(proverId, computeUnits, backend, proxy.port(), null);
    return proxy;
  }

  private Worker startWorker(
      String proverId, int computeUnits, ProverBackend backend, int port, BearerToken token) {
    return startWorker(
        proverId, computeUnits, backend, "http://127.0.0.1:" + port, ClientTls.SYSTEM_TRUST, token);
  }

  private Worker startWorker(
      String proverId, int computeUnits, ProverBackend backend, String url, ClientTls tls) {
    return startWorker(proverId, computeUnits, backend, url, tls, null);
  }

  private Worker startWorker(
      String proverId,
      int computeUnits,
      ProverBackend backend,
      String url,
      ClientTls tls,
      BearerToken token) {
    WorkerConfig config =
        new WorkerConfig(
                List.of(CoordinatorEndpoint.parse(url)),
                proverId,
                computeUnits,
                "reference",
                Duration.ofMillis(100),
                Duration.ofMillis(500),
                WORKER_HEARTBEAT_TIMEOUT,
                WorkerConfig.Logging.defaults())
            .withTls(tls)
            .withInputs(new InputFiles(List.of(inputsDir), WorkerSettings.DEFAULT_MAX_INPUT_BYTES))
            .withInputCache(
                new InputCacheSettings(
                    inputsDir.resolveSibling(inputsDir.getFileName() + "-cache-" + proverId),
                    InputCacheSettings.DEFAULT_MAX_BYTES));
    Worker worker = new Worker(token == null ? config : config.withToken(token), backend);
    workers.add(worker);
    backends.add(backend);
    worker.start();
    return worker;
  }

  /** Opens a hand-driven ProverStream on the coordinator's port. */
  RawProver rawProver(boolean ackHeartbeats) {
    RawProver prover = RawProver.open(coordinator.channel(), ackHeartbeats);
    rawProvers.add(prover);
    return prover;
  }

  String launch(Path input, int computeCapacity) {
    var response =
        api()
            .launchProof(
                LaunchProofRequest.newBuilder()
                    .setBlockId("block-" + System.nanoTime())
                    .setComputeCapacity(computeCapacity)
                    .setInputPath(input.toString())
                    .build());
    if (response.hasError()) {
      throw new AssertionError("LaunchProof failed: " + response.getError());
    }
    return response.getJobId();
  }

  JobStatus job(String jobId) {
    var response = api().jobStatus(JobStatusRequest.newBuilder().setJobId(jobId).build());
    if (response.hasError()) {
      throw new AssertionError("JobStatus failed: " + response.getError());
    }
    return response.getJob();
  }

  JobStatus awaitJob(String jobId, String what, Predicate<JobStatus> done) {
    return await("job " + jobId + " " + what).atMost(WAIT).until(() -> job(jobId), done::test);
  }

  JobStatus awaitState(String jobId, String state) {
    return awaitJob(jobId, "to be " + state, job -> job.getState().equals(state));
  }

  JobStatus awaitPhase(String jobId, String phase) {
    return awaitJob(
        jobId,
        "to be RUNNING in " + phase,
        job -> job.getState().equals("RUNNING") && job.getPhase().equals(phase));
  }

  /** Every known prover, by id, as ProversList answers. */
  Map<String, ProverInfo> provers() {
    var response = api().proversList(ProversListRequest.getDefaultInstance());
    if (response.hasError()) {
      throw new AssertionError("ProversList failed: " + response.getError());
    }
    Map<String, ProverInfo> byId = new LinkedHashMap<>();
    response
        .getProversList()
        .getProversList()
        .forEach(prover -> byId.put(prover.getProverId(), prover));
    return byId;
  }

  /** Waits until every named prover is known and in {@code state}. */
  void awaitProvers(String state, String... proverIds) {
    await("provers " + List.of(proverIds) + " to be " + state)
        .atMost(WAIT)
        .until(
            this::provers,
            provers ->
                List.of(proverIds).stream()
                    .allMatch(
                        id -> provers.containsKey(id) && provers.get(id).getState().equals(state)));
  }

  ProverInfo awaitProver(String proverId, String what, Predicate<ProverInfo> done) {
    return await("prover " + proverId + " " + what)
        .atMost(WAIT)
        .until(() -> provers().get(proverId), prover -> prover != null && done.test(prover));
  }

  /**
   * The job's history, one "EVENT PHASE" (or "EVENT") per row, oldest first; TASK_DISPATCHED rows
   * (one per task sent, for WatchJob) are left out: tests here check the transitions.
   */
  List<String> events(String jobId) {
    return coordinator
        .jdbi()
        .withHandle(
            handle ->
                handle
                    .createQuery(
                        """
            SELECT event || coalesce(' ' || phase, '') FROM job_events
            WHERE job_id = :jobId::uuid AND event <> 'TASK_DISPATCHED' ORDER BY event_id
            """)
                    .bind("jobId", jobId)
                    .mapTo(String.class)
                    .list());
  }

  /** One integer from SQL, with {@code :jobId} bound when given. */
  long count(String sql, String jobId) {
    return coordinator
        .jdbi()
        .withHandle(handle -> handle.createQuery(sql).bind("jobId", jobId).mapTo(Long.class).one());
  }

  /** The job's failure counters, told apart: a prover reporting an error vs. a lost prover. */
  String failureCounts(String jobId) {
    return coordinator
        .jdbi()
        .withHandle(
            handle ->
                handle
                    .createQuery(
                        """
            SELECT 'task_failures=' || task_failures || ' infra_failures=' || infra_failures FROM jobs
            WHERE job_id = :jobId::uuid
            """)
                    .bind("jobId", jobId)
                    .mapTo(String.class)
                    .one());
  }

  /** Task rows of a job as "TYPE rank prover STATE", in creation order. */
  List<String> tasks(String jobId) {
    return coordinator
        .jdbi()
        .withHandle(
            handle ->
                handle
                    .createQuery(
                        """
            SELECT task_type || ' ' || rank_id || ' ' || prover_id || ' ' || state FROM tasks
            WHERE job_id = :jobId::uuid ORDER BY attempt, created_at, task_type, rank_id
            """)
                    .bind("jobId", jobId)
                    .mapTo(String.class)
                    .list());
  }

  /** The workers' inputs directory. */
  Path inputsDir() {
    return inputsDir;
  }

  /** Writes a reference input small enough to prove in well under a second, where workers look. */
  Path referenceInput() {
    try {
      Path file = inputsDir.resolve("input-" + System.nanoTime() + ".toml");
      ReferenceInput.withRandomSeed(8, 2000).write(file);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Fetches the job's proof with GetProof and checks it against the input, as a user would. */
  VerificationResult verifyProof(String jobId, Path input) {
    var response = api().getProof(GetProofRequest.newBuilder().setJobId(jobId).build());
    if (response.hasError()) {
      throw new AssertionError("GetProof failed: " + response.getError());
    }
    assertEquals(jobId, response.getProof().getJobId());
    try {
      return ReferenceVerifier.verify(
          ReferenceInput.read(input), response.getProof().getFinalProof());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    rawProvers.forEach(RawProver::close);
    for (ProverBackend backend : backends) {
      if (backend instanceof ControlledBackend controlled) {
        controlled.openGates();
      }
    }
    for (Worker worker : workers) {
      worker.stop(Duration.ZERO);
    }
    backends.forEach(ProverBackend::close);
    proxies.forEach(TcpProxy::close);
    coordinator.close();
    try (Stream<Path> paths = Files.walk(inputsDir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // A temporary directory; the OS cleans it eventually.
    }
  }
}
