package zisk.distributed.worker.prover.nativeprover;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import zisk.distributed.api.v1.AggParams;
import zisk.distributed.api.v1.Challenges;
import zisk.distributed.api.v1.ChallengesList;
import zisk.distributed.api.v1.ContributionParams;
import zisk.distributed.api.v1.Proof;
import zisk.distributed.api.v1.ProofList;
import zisk.distributed.api.v1.ProveParams;
import zisk.distributed.common.inputs.InputFile;
import zisk.distributed.worker.config.NativeProverConfig;

/** The native backend against {@link FakeProver} child processes. */
class NativeProverBackendTest {

  private static final String PROVER = "gpu-node-7";
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Duration BACKOFF = Duration.ofMillis(100);

  @TempDir Path dir;

  private final List<NativeProverBackend> backends = new ArrayList<>();
  private ListAppender<ILoggingEvent> logs;
  private Level rootLevel;
  private InputFile input;

  @BeforeEach
  void setUp() throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    rootLevel = root.getLevel();
    logs = new ListAppender<>();
    logs.start();
    root.addAppender(logs);
    root.setLevel(Level.INFO);
    Path file = dir.resolve("input.bin");
    Files.write(file, new byte[123]);
    input = new InputFile(file.toRealPath(), new byte[123]);
  }

  @AfterEach
  void tearDown() {
    backends.forEach(NativeProverBackend::close);
    Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    root.detachAppender(logs);
    root.setLevel(rootLevel);
  }

  @Test
  void runsTheThreePhasesRelayingProgressAndStderrWithGpusPinned() throws Exception {
    NativeProverBackend backend =
        ready(FakeProvers.config("normal", Map.of("FAKE_EXTRA", "extra-value")).withGpus("0,1"));
    List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
    backend.onProgress((jobId, fraction, text) -> heard.add(jobId + " " + fraction + " " + text));

    ChallengesList challenges = backend.contribute("job-1", contribution(1), input);
    ProofList proofs = backend.prove("job-1", ProveParams.getDefaultInstance());
    var finalProof =
        backend.aggregate(
            "job-1",
            AggParams.newBuilder()
                .setAggProofs(
                    ProofList.newBuilder()
                        .addProofs(
                            Proof.newBuilder().setProverIndex(0).addValues(-1L).addValues(5)))
                .build());

    Challenges mine = challenges.getChallenges(0);
    assertEquals(1, mine.getProverIndex());
    assertEquals(List.of(123L, 2L), mine.getChallengeList(), "the prover read the real input path");
    assertEquals(1, proofs.getProofs(0).getProverIndex());
    assertEquals(-1L, proofs.getProofs(0).getAirgroupId(), "2^64-1 fits a uint64");
    assertEquals(List.of(7L), proofs.getProofs(0).getValuesList());
    assertEquals(List.of(42L), finalProof.getFinalProofs(0).getValuesList());
    assertTrue(
        logged(
            "[prover] starting: CUDA_VISIBLE_DEVICES=0,1 ZISK_PROVER_ID="
                + PROVER
                + " FAKE_EXTRA=extra-value"),
        "stderr is in the log, marked, and shows the prover's environment");
    assertTrue(logged("[prover] contribute 50% halfway"), "progress is relayed to the log");
    assertTrue(heard.contains("job-1 0.5 halfway"), "and to the worker: " + heard);
  }

  @Test
  void aLineThatIsNotProtocolFailsTheTaskQuotesItAndReplacesTheProcess() throws Exception {
    Path starts = dir.resolve("starts");
    NativeProverBackend backend =
        ready(FakeProvers.config("garbage", Map.of("FAKE_STARTS", starts.toString())));

    Exception failure =
        assertThrows(
            IllegalStateException.class, () -> backend.contribute("job-1", contribution(0), input));

    assertTrue(
        failure.getMessage().contains("not protocol on stdout")
            && failure.getMessage().contains("'this is not protocol {oops}'"),
        failure.getMessage());
    await("a new prover process, ready")
        .atMost(WAIT)
        .until(() -> Files.readAllLines(starts).size() == 2 && backend.isReady());
  }

  @Test
  void aProverThatHangsAndIgnoresCancelIsKilledWithEveryDescendant() throws Exception {
    Path pids = dir.resolve("pids");
    NativeProverBackend backend =
        ready(FakeProvers.config("hang", Map.of("FAKE_PIDS", pids.toString())));
    AtomicReference<Thread> taskThread = new AtomicReference<>();
    CompletableFuture<ChallengesList> task =
        CompletableFuture.supplyAsync(
            () -> {
              taskThread.set(Thread.currentThread());
              try {
                return backend.contribute("job-1", contribution(0), input);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    await("the prover to hang").atMost(WAIT).until(() -> Files.exists(pids));
    String[] both = Files.readString(pids).trim().split(" ");
    ProcessHandle prover = ProcessHandle.of(Long.parseLong(both[0])).orElseThrow();
    ProcessHandle grandchild = ProcessHandle.of(Long.parseLong(both[1])).orElseThrow();
    assertTrue(grandchild.isAlive());

    long cancelledAt = System.nanoTime();
    taskThread.get().interrupt();

    ExecutionException ended = assertThrows(ExecutionException.class, task::get);
    assertTrue(ended.getCause().getCause() instanceof InterruptedException, ended.toString());
    Duration graces = FakeProvers.CANCEL_GRACE.plus(FakeProvers.KILL_GRACE);
    await("the prover and its grandchild in a session of its own to be gone")
        .atMost(graces.plusSeconds(3))
        .until(() -> !prover.isAlive() && !grandchild.isAlive());
    Duration took = Duration.ofNanos(System.nanoTime() - cancelledAt);
    assertTrue(took.compareTo(graces.plusSeconds(2)) < 0, "killed after " + took);
    await("a new prover process, ready").atMost(WAIT).until(backend::isReady);
  }

  @Test
  void aRequestPastItsTimeLimitIsCancelledAndItsProverKilled() throws Exception {
    Path pids = dir.resolve("pids");
    NativeProverConfig config = FakeProvers.config("hang", Map.of("FAKE_PIDS", pids.toString()));
    config =
        config.withLimits(
            config.startupTimeout(),
            config.cancelGrace(),
            config.killGrace(),
            new NativeProverConfig.Timeouts(
                Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1)));
    NativeProverBackend backend = ready(config);

    Exception failure =
        assertThrows(
            IllegalStateException.class, () -> backend.contribute("job-1", contribution(0), input));

    assertTrue(
        failure.getMessage().contains("outlived its time limit of 1 s"), failure.getMessage());
    String[] both = Files.readString(pids).trim().split(" ");
    await("the hung prover and its grandchild to be gone")
        .atMost(WAIT)
        .until(
            () ->
                ProcessHandle.of(Long.parseLong(both[0])).map(ProcessHandle::isAlive).orElse(false)
                        == false
                    && ProcessHandle.of(Long.parseLong(both[1]))
                            .map(ProcessHandle::isAlive)
                            .orElse(false)
                        == false);
  }

  @Test
  void aProverThatFailsAtStartIsStartedAgainWithBackOff() throws Exception {
    Path starts = dir.resolve("starts");
    NativeProverBackend backend =
        start(
            FakeProvers.config(
                "normal", Map.of("FAKE_STARTS", starts.toString(), "FAKE_FAIL_STARTS", "3")));

    await("the fourth start to be ready").atMost(WAIT).until(backend::isReady);

    List<String> lines = Files.readAllLines(starts);
    assertEquals(4, lines.size(), lines.toString());
    for (int i = 1; i < lines.size(); i++) {
      long gap =
          Long.parseLong(lines.get(i).split(" ")[1])
              - Long.parseLong(lines.get(i - 1).split(" ")[1]);
      assertTrue(gap >= BACKOFF.toMillis() / 2, "restart " + i + " after " + gap + " ms");
    }
    assertTrue(logged("[prover] cannot load the proving key (start 1)"));
  }

  @Test
  void closeSendsShutdownAndTheProverExitsByItself() throws Exception {
    Path marker = dir.resolve("shutdown");
    NativeProverBackend backend =
        ready(FakeProvers.config("normal", Map.of("FAKE_SHUTDOWN_MARKER", marker.toString())));

    backend.close();

    assertTrue(Files.exists(marker), "the prover received shutdown");
    assertTrue(logged("shut down"));
    assertFalse(backend.isReady());
  }

  private NativeProverBackend start(NativeProverConfig config) {
    NativeProverBackend backend =
        new NativeProverBackend(config, PROVER, BACKOFF, BACKOFF.multipliedBy(4));
    backends.add(backend);
    return backend;
  }

  private NativeProverBackend ready(NativeProverConfig config) {
    NativeProverBackend backend = start(config);
    await("the prover to be ready").atMost(WAIT).until(backend::isReady);
    return backend;
  }

  private static ContributionParams contribution(int rank) {
    return ContributionParams.newBuilder()
        .setBlockId("block-1")
        .setInputPath("input.bin")
        .setRankId(rank)
        .setTotalProvers(2)
        .addProverAllocation(1)
        .addProverAllocation(1)
        .setJobComputeUnits(2)
        .build();
  }

  private boolean logged(String text) {
    return logs.list.stream().anyMatch(event -> event.getFormattedMessage().contains(text));
  }

  @Test
  void anAnswerToAnUnknownIdOrAFatalErrorReplacesTheProcess() throws Exception {
    Path unknownStarts = dir.resolve("unknown-starts");
    Path fatalStarts = dir.resolve("fatal-starts");
    NativeProverBackend unknownId =
        ready(FakeProvers.config("unknown-id", Map.of("FAKE_STARTS", unknownStarts.toString())));
    NativeProverBackend fatal =
        ready(FakeProvers.config("fatal", Map.of("FAKE_STARTS", fatalStarts.toString())));

    Exception unknown =
        assertThrows(
            IllegalStateException.class,
            () -> unknownId.contribute("job-1", contribution(0), input));
    Exception reported =
        assertThrows(
            IllegalStateException.class, () -> fatal.contribute("job-1", contribution(0), input));

    assertTrue(unknown.getMessage().contains("unknown id 'not-r1'"), unknown.getMessage());
    assertTrue(reported.getMessage().contains("PROVER_FAILED: GPU lost"), reported.getMessage());
    await("both processes replaced")
        .atMost(WAIT)
        .until(
            () ->
                Files.readAllLines(unknownStarts).size() == 2
                    && Files.readAllLines(fatalStarts).size() == 2);
  }

  @Test
  void aProverOfAnotherProtocolIsNeverReady() throws Exception {
    Path starts = dir.resolve("starts");
    NativeProverBackend backend =
        start(FakeProvers.config("protocol-2", Map.of("FAKE_STARTS", starts.toString())));

    await("a second start")
        .atMost(WAIT)
        .until(() -> Files.exists(starts) && Files.readAllLines(starts).size() >= 2);

    assertFalse(backend.isReady());
    assertTrue(logged("it speaks protocol 2; this worker knows protocol 1"));
  }
}
