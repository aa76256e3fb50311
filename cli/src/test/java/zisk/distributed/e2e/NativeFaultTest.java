package zisk.distributed.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import zisk.distributed.api.v1.CancelJobRequest;
import zisk.distributed.reference.VerificationResult;

/**
 * Faults of the native path (issue 11), against a real coordinator on PostgreSQL and workers with
 * the native backend: the prover process SIGKILLed mid-PROVE, a prover that hangs and ignores
 * cancel, and a prover that fails at start, each once, or {@code -Dzisk.faults.trials=N} times (see
 * {@link FaultTrials}). It lives with the e2e tests because the reliability module sees neither
 * {@link Cluster} nor the in-process worker.
 */
class NativeFaultTest {

  /** Both the cancel grace and the kill grace. */
  private static final Duration GRACE = NativeProvers.GRACE;

  /** Slack on top of the graces for the cancel's way from the API to the worker and polling. */
  private static final Duration CANCEL_SLACK = Duration.ofSeconds(4);

  @TempDir Path dir;

  private Cluster cluster;

  @AfterEach
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @FaultTrials
  void aProverProcessKilledMidProveIsRestartedAndTheJobCompletesWithAVerifiedProof() {
    cluster = Cluster.start();
    Map<String, String> slowPhases = Map.of("ZISK_REFERENCE_PHASE_DELAY_MS", "1500");
    cluster.nativeWorker(
        "killed", 2, NativeProvers.config(NativeProvers.referenceProver(), slowPhases));
    cluster.awaitProvers("IDLE", "killed");
    Path input = cluster.referenceInput();
    String jobId = cluster.launch(input, 2);
    cluster.awaitPhase(jobId, "PROVE");
    ProcessHandle prover = onlyReferenceProver();

    assertTrue(prover.destroyForcibly(), "SIGKILL sent to the prover process");

    await("a new prover process")
        .atMost(Cluster.WAIT)
        .until(() -> referenceProvers().stream().anyMatch(p -> p.pid() != prover.pid()));
    cluster.awaitState(jobId, "COMPLETED");
    VerificationResult verified = cluster.verifyProof(jobId, input);
    assertTrue(verified.valid(), verified.toString());
    assertFalse(prover.isAlive());
    List<String> tasks = cluster.tasks(jobId);
    assertTrue(tasks.contains("PROVE 0 killed FAILED"), "the kill struck PROVE: " + tasks);
  }

  @FaultTrials
  void aHungProverIgnoringCancelIsKilledWithItsDescendantsWithinTheGracesAndServesTheNextJob()
      throws Exception {
    Path marker = dir.resolve("hung");
    List<String> command = new ArrayList<>(List.of("bash", script("hanging-prover.sh")));
    command.addAll(NativeProvers.referenceProver());
    cluster = Cluster.start();
    cluster.nativeWorker(
        "hung", 2, NativeProvers.config(command, Map.of("HANG_MARKER", marker.toString())));
    cluster.awaitProvers("IDLE", "hung");
    String jobId = cluster.launch(cluster.referenceInput(), 2);
    await("the prover to hang").atMost(Cluster.WAIT).until(() -> Files.exists(marker));
    String[] pids = Files.readString(marker).trim().split(" ");
    ProcessHandle hung = ProcessHandle.of(Long.parseLong(pids[0])).orElseThrow();
    Set<ProcessHandle> tree = new HashSet<>(hung.descendants().toList());
    tree.add(hung);
    tree.add(ProcessHandle.of(Long.parseLong(pids[1])).orElseThrow());
    assertTrue(tree.stream().allMatch(ProcessHandle::isAlive), "the hung tree runs: " + pids(tree));

    cluster
        .api()
        .cancelJob(CancelJobRequest.newBuilder().setJobId(jobId).setReason("hung").build());

    await("no process of the hung prover, its own-session grandchild included")
        .atMost(GRACE.plus(GRACE).plus(CANCEL_SLACK))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> tree.stream().noneMatch(ProcessHandle::isAlive));
    assertEquals("CANCELLED", cluster.job(jobId).getState());

    cluster.awaitProvers("IDLE", "hung");
    Path next = cluster.referenceInput();
    String nextJob = cluster.launch(next, 2);
    cluster.awaitState(nextJob, "COMPLETED");
    assertTrue(cluster.verifyProof(nextJob, next).valid());
    assertNotEquals(hung.pid(), onlyReferenceProver().pid());
  }

  @FaultTrials
  void aProverFailingAtStartIsRetriedWithBackOffUnregisteredUntilItIsFixed() throws Exception {
    Path starts = dir.resolve("starts");
    Path fixed = dir.resolve("fixed");
    Files.writeString(
        dir.resolve("failing-prover.sh"),
        """
        # Records each start (epoch milliseconds); exits 1 until $FIXED exists, then runs "$@".
        date +%s%3N >> "$STARTS"
        if [ -e "$FIXED" ]; then exec "$@"; fi
        echo "cannot start: no GPU" >&2
        exit 1
        """);
    List<String> command =
        new ArrayList<>(List.of("bash", dir.resolve("failing-prover.sh").toString()));
    command.addAll(NativeProvers.referenceProver());
    Map<String, String> env = Map.of("STARTS", starts.toString(), "FIXED", fixed.toString());
    cluster = Cluster.start();
    cluster.nativeWorker("broken", 2, NativeProvers.config(command, env));

    AtomicBoolean everRegistered = new AtomicBoolean();
    await("five failed starts")
        .atMost(Cluster.WAIT)
        .until(
            () -> {
              everRegistered.compareAndSet(false, cluster.provers().containsKey("broken"));
              return startTimes(starts).size() >= 5;
            });
    assertFalse(everRegistered.get(), "registered while its prover could not start");
    assertFalse(cluster.provers().containsKey("broken"));
    List<Long> times = startTimes(starts);
    // Back-off 100 ms doubling to 500 ms, equal jitter: delays of at least 50, 100, 200, 250 ms.
    assertTrue(times.get(1) - times.get(0) >= 50, "first retry after " + gaps(times));
    assertTrue(times.get(4) - times.get(3) >= 200, "backed off to " + gaps(times));

    Files.createFile(fixed);
    cluster.awaitProvers("IDLE", "broken");
    Path input = cluster.referenceInput();
    String jobId = cluster.launch(input, 2);
    cluster.awaitState(jobId, "COMPLETED");
    assertTrue(cluster.verifyProof(jobId, input).valid());
  }

  /** The live reference-prover processes this JVM's workers started. */
  private static List<ProcessHandle> referenceProvers() {
    return ProcessHandle.current()
        .descendants()
        .filter(ProcessHandle::isAlive)
        .filter(process -> commandLine(process).contains("\0reference-prover"))
        .toList();
  }

  /**
   * The process's arguments, NUL-separated, read from /proc: ProcessHandle.Info gives none for a
   * command line as long as a test class path.
   */
  private static String commandLine(ProcessHandle process) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(process.pid()), "cmdline"));
    } catch (IOException | UncheckedIOException e) {
      return ""; // it has exited
    }
  }

  private static ProcessHandle onlyReferenceProver() {
    List<ProcessHandle> provers = referenceProvers();
    assertEquals(1, provers.size(), "reference-prover processes: " + pids(provers));
    return provers.get(0);
  }

  private static List<Long> startTimes(Path starts) throws Exception {
    if (!Files.exists(starts)) {
      return List.of();
    }
    return Files.readAllLines(starts).stream()
        .filter(line -> !line.isBlank())
        .map(line -> Long.parseLong(line.trim()))
        .toList();
  }

  private static List<Long> gaps(List<Long> times) {
    List<Long> gaps = new ArrayList<>();
    for (int i = 1; i < times.size(); i++) {
      gaps.add(times.get(i) - times.get(i - 1));
    }
    return gaps;
  }

  private static String pids(java.util.Collection<ProcessHandle> processes) {
    return processes.stream().map(p -> Long.toString(p.pid())).collect(Collectors.joining(" "));
  }

  private static String script(String name) throws URISyntaxException {
    return Path.of(NativeFaultTest.class.getResource("/" + name).toURI()).toString();
  }
}
