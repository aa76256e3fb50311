package zisk.distributed.worker.prover.nativeprover;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zisk.distributed.api.v1.ExecuteTaskResponse;
import zisk.distributed.api.v1.ProverMessage;
import zisk.distributed.worker.Worker;
import zisk.distributed.worker.config.NativeProverConfig;
import zisk.distributed.worker.config.WorkerConfig;
import zisk.distributed.worker.connection.Channels;
import zisk.distributed.worker.connection.CoordinatorEndpoint;
import zisk.distributed.worker.prover.ProverBackend;
import zisk.distributed.worker.prover.ProverBackends;
import zisk.distributed.worker.testing.FakeCoordinator;
import zisk.distributed.worker.testing.FakeCoordinator.FakeStream;
import zisk.distributed.worker.testing.Tasks;

/** A worker with the native backend, driving {@link FakeProver}, against a scripted coordinator. */
class NativeWorkerTest {

  private static final String PROVER = "gpu-node-2";
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  private FakeCoordinator coordinator;
  private ProverBackend backend;
  private Worker worker;

  @BeforeEach
  void startCoordinator() throws Exception {
    coordinator = FakeCoordinator.start();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (worker != null) {
      worker.stop(Duration.ZERO);
    }
    if (backend != null) {
      backend.close();
    }
    coordinator.close();
  }

  @Test
  void registersOnlyOnceTheProverIsReadyThenRunsTasksAndShutsItDownOnStop() throws Exception {
    Path gate = dir.resolve("gate");
    Path marker = dir.resolve("shutdown");
    start(
        FakeProvers.config(
            "normal",
            Map.of("FAKE_READY_GATE", gate.toString(), "FAKE_SHUTDOWN_MARKER", marker.toString())));

    await("no stream while the prover is not ready")
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(() -> coordinator.streamCount() == 0);
    Files.createFile(gate);
    FakeStream stream = coordinator.awaitStream();
    assertTrue(stream.hello().hasRegister());
    stream.sendTask(Tasks.contribution("job-1", "task-c", 1));
    ExecuteTaskResponse contributed = stream.awaitResult();

    assertTrue(contributed.getSuccess(), contributed.getErrorMessage());
    long inputSize = Files.size(Tasks.INPUTS.dirs().get(0).resolve(Tasks.INPUT_NAME));
    assertEquals(
        List.of(inputSize, 2L), contributed.getChallenges().getChallenges(0).getChallengeList());

    worker.stop(Duration.ofSeconds(1));
    backend.close();
    assertTrue(Files.exists(marker), "a clean stop sends shutdown");
  }

  @Test
  void staysUnregisteredWhileTheProverFailsToStart() throws Exception {
    Path starts = dir.resolve("starts");
    start(
        FakeProvers.config(
            "normal", Map.of("FAKE_STARTS", starts.toString(), "FAKE_FAIL_STARTS", "3")));

    await("three failed starts")
        .atMost(WAIT)
        .until(() -> Files.exists(starts) && Files.readAllLines(starts).size() >= 3);
    assertEquals(0, coordinator.streamCount(), "no prover was ready yet");

    FakeStream stream = coordinator.awaitStream();
    assertTrue(stream.hello().hasRegister());
    assertEquals(4, Files.readAllLines(starts).size());
  }

  @Test
  void aProverThatBreaksTheProtocolFailsTheTaskAndTheWorkerRegistersAgainOnceReplaced()
      throws Exception {
    start(FakeProvers.config("garbage", Map.of()));
    FakeStream first = coordinator.awaitStream();
    first.hello();

    first.sendTask(Tasks.contribution("job-1", "task-c", 0));
    ExecuteTaskResponse failed = first.awaitResult();

    assertFalse(failed.getSuccess());
    assertTrue(
        failed.getErrorMessage().contains("'this is not protocol {oops}'"),
        failed.getErrorMessage());
    first.awaitProverClosed(WAIT);
    FakeStream second = coordinator.awaitStream();
    assertTrue(second.hello().hasRegister(), "the job's state died with the process");
  }

  @Test
  void jobCancelledOnAHungProverKillsItAndEveryDescendant() throws Exception {
    Path pids = dir.resolve("pids");
    start(FakeProvers.config("hang", Map.of("FAKE_PIDS", pids.toString())));
    FakeStream first = coordinator.awaitStream();
    first.hello();
    first.sendTask(Tasks.contribution("job-1", "task-c", 0));
    await("the prover to hang").atMost(WAIT).until(() -> Files.exists(pids));
    String[] both = Files.readString(pids).trim().split(" ");

    first.cancelJob("job-1", "cancelled by the user");

    Duration graces = FakeProvers.CANCEL_GRACE.plus(FakeProvers.KILL_GRACE);
    await("the prover and its grandchild to be gone")
        .atMost(graces.plusSeconds(3))
        .until(() -> !alive(both[0]) && !alive(both[1]));
    first.awaitProverClosed(WAIT);
    FakeStream second = coordinator.awaitStream();
    assertTrue(second.hello().hasRegister());
    assertTrue(
        first.all.stream().noneMatch(ProverMessage::hasExecuteTaskResponse),
        "nothing is sent for a cancelled task");
  }

  private static boolean alive(String pid) {
    return ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
  }

  private void start(NativeProverConfig nativeProver) {
    WorkerConfig config =
        new WorkerConfig(
                List.of(CoordinatorEndpoint.parse(coordinator.url())),
                PROVER,
                3,
                "native",
                Duration.ofMillis(100),
                Duration.ofMillis(400),
                Duration.ofSeconds(20),
                WorkerConfig.Logging.defaults())
            .withInputs(Tasks.INPUTS)
            .withNativeProver(nativeProver);
    backend = ProverBackends.create(config);
    worker = new Worker(config, backend, new Random(1), Channels::open);
    worker.start();
  }
}
