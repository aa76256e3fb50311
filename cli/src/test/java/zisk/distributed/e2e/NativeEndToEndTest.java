package zisk.distributed.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import zisk.distributed.api.v1.CancelJobRequest;
import zisk.distributed.reference.VerificationResult;

/**
 * Workers with the native backend driving {@code zisk reference-prover} child processes: real,
 * verifiable proofs through the native path; and a prover that hangs and ignores cancel, killed
 * with everything it started when its job is cancelled.
 */
class NativeEndToEndTest {

  private static final Duration GRACE = NativeProvers.GRACE;

  @TempDir Path dir;

  private Cluster cluster;
  private ListAppender<ILoggingEvent> logs;

  @BeforeEach
  void captureLogs() {
    logs = new ListAppender<>();
    logs.start();
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(logs);
  }

  @AfterEach
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
  }

  @Test
  void twoNativeWorkersProveAJobWhoseProofVerifiesWithTheirGpusPinned() {
    cluster = Cluster.start();
    cluster.nativeWorker(
        "native-a",
        2,
        NativeProvers.config(NativeProvers.referenceProver(), Map.of()).withGpus("0"));
    cluster.nativeWorker(
        "native-b",
        2,
        NativeProvers.config(NativeProvers.referenceProver(), Map.of()).withGpus("1"));
    cluster.awaitProvers("IDLE", "native-a", "native-b");
    Path input = cluster.referenceInput();

    String jobId = cluster.launch(input, 4);
    cluster.awaitState(jobId, "COMPLETED");

    VerificationResult verified = cluster.verifyProof(jobId, input);
    assertTrue(verified.valid(), verified.toString());
    assertTrue(logged("ZISK_PROVER_ID=native-a, CUDA_VISIBLE_DEVICES=0"), "GPU pinning of a");
    assertTrue(logged("ZISK_PROVER_ID=native-b, CUDA_VISIBLE_DEVICES=1"), "GPU pinning of b");
  }

  @Test
  void cancelJobOnAHungProverLeavesNoProcessOfItAndTheNextJobCompletes() throws Exception {
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
    assertTrue(alive(pids[1]), "the grandchild in a session of its own runs");

    cluster
        .api()
        .cancelJob(CancelJobRequest.newBuilder().setJobId(jobId).setReason("hung").build());

    cluster.awaitState(jobId, "CANCELLED");
    await("no process of the hung prover")
        .atMost(GRACE.plus(GRACE).plusSeconds(5))
        .until(() -> !alive(pids[0]) && !alive(pids[1]));
    cluster.awaitProvers("IDLE", "hung");
    Path next = cluster.referenceInput();
    String nextJob = cluster.launch(next, 2);
    cluster.awaitState(nextJob, "COMPLETED");
    assertTrue(cluster.verifyProof(nextJob, next).valid());
  }

  private static String script(String name) throws URISyntaxException {
    return Path.of(NativeEndToEndTest.class.getResource("/" + name).toURI()).toString();
  }

  private static boolean alive(String pid) {
    return ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
  }

  private boolean logged(String text) {
    return List.copyOf(logs.list).stream()
        .anyMatch(event -> event.getFormattedMessage().contains(text));
  }
}
