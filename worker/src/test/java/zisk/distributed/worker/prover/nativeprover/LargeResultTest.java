package zisk.distributed.worker.prover.nativeprover;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zisk.distributed.api.v1.Challenges;
import zisk.distributed.api.v1.ChallengesList;
import zisk.distributed.api.v1.ContributionParams;
import zisk.distributed.common.inputs.InputFile;

/**
 * What a 100 MB result costs through the backend: the fake prover writes 100,000,000 bytes of words
 * (133 MB of base64 on one line), the backend decodes them into the protobuf result. Prints the
 * time and the heap's peak above its level before (the README's figure), and fails if the result is
 * wrong or the peak exceeds three times the proof (a line or a decoded byte array held whole
 * would).
 */
class LargeResultTest {

  private static final long PROOF_BYTES = 100_000_000;

  @TempDir Path dir;

  private NativeProverBackend backend;

  @AfterEach
  void tearDown() {
    if (backend != null) {
      backend.close();
    }
  }

  @Test
  void aHundredMegabyteResultIsDecodedOnceIntoWords() throws Exception {
    backend =
        new NativeProverBackend(
            FakeProvers.config("big", Map.of("FAKE_RESULT_BYTES", Long.toString(PROOF_BYTES))),
            "big-prover",
            Duration.ofMillis(100),
            Duration.ofMillis(400));
    await("the prover to be ready").atMost(Duration.ofSeconds(30)).until(backend::isReady);
    Path file = Files.write(dir.resolve("input.bin"), new byte[8]);
    InputFile input = new InputFile(file.toRealPath(), new byte[8]);
    List<MemoryPoolMXBean> heap =
        ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(pool -> pool.getType() == MemoryType.HEAP)
            .toList();
    System.gc();
    long before = heap.stream().mapToLong(pool -> pool.getUsage().getUsed()).sum();
    heap.forEach(MemoryPoolMXBean::resetPeakUsage);

    long allocatedBefore = allocated();
    long start = System.nanoTime();
    ChallengesList result =
        backend.contribute(
            "job-big",
            ContributionParams.newBuilder().setRankId(0).setTotalProvers(1).build(),
            input);
    long millis = (System.nanoTime() - start) / 1_000_000;
    long peak = heap.stream().mapToLong(pool -> pool.getPeakUsage().getUsed()).sum() - before;
    long allocatedBytes = allocated() - allocatedBefore;

    Challenges words = result.getChallenges(0);
    assertEquals(PROOF_BYTES / 8, words.getChallengeCount());
    assertEquals(0L, words.getChallenge(0));
    assertEquals(PROOF_BYTES / 8 - 1, words.getChallenge(words.getChallengeCount() - 1));
    System.out.printf(
        "a %d MB result through the native backend: %d ms, %d MB allocated, heap peak %d MB"
            + " above the level before%n",
        PROOF_BYTES / 1_000_000, millis, allocatedBytes / 1_000_000, peak / 1_000_000);
    assertTrue(allocatedBytes < 5 * PROOF_BYTES, allocatedBytes + " bytes allocated");
  }

  /** Bytes allocated so far by every live thread of this JVM (the stdout reader among them). */
  private static long allocated() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long total = 0;
    for (long bytes : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
      total += Math.max(0, bytes);
    }
    return total;
  }
}
