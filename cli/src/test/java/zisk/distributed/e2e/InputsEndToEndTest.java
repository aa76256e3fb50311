package zisk.distributed.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zisk.distributed.api.v1.JobStatus;
import zisk.distributed.worker.prover.reference.ReferenceProverBackend;

/**
 * LaunchProof names a file; the workers read it only inside their inputs directories. A job naming
 * anything else fails with the rule it broke, and its status never shows the file's content.
 */
class InputsEndToEndTest {

  private static final String SECRET_LINE = "root:$6$SECRET-SALT$SECRET-HASH:19000:0:99999:7:::";

  /** Outside the workers' inputs directory: another user's file, say /etc/shadow. */
  @TempDir Path elsewhere;

  private Cluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aJobNamingAFileOutsideTheInputsDirectoriesFailsWithoutRevealingIt() throws Exception {
    cluster = Cluster.start();
    cluster.worker("w1", 2, new ReferenceProverBackend());
    cluster.awaitProvers("IDLE", "w1");
    Path secret = Files.writeString(elsewhere.resolve("shadow"), SECRET_LINE + "\n");

    JobStatus job = cluster.awaitState(cluster.launch(secret, 2), "FAILED");

    assertFailedWith(job, "input_path is outside the worker's inputs directories");
  }

  @Test
  void aLinkInsideTheInputsDirectoryThatLeadsOutsideIsRefused() throws Exception {
    cluster = Cluster.start();
    cluster.worker("w1", 2, new ReferenceProverBackend());
    cluster.awaitProvers("IDLE", "w1");
    Path secret = Files.writeString(elsewhere.resolve("shadow"), SECRET_LINE + "\n");
    Path link = Files.createSymbolicLink(cluster.inputsDir().resolve("innocent.toml"), secret);

    JobStatus job = cluster.awaitState(cluster.launch(link, 2), "FAILED");

    assertFailedWith(job, "input_path is outside the worker's inputs directories");
  }

  @Test
  void aNulOnTheFirstLineOfAnInputFailsTheJobCleanly() throws Exception {
    cluster = Cluster.start();
    cluster.worker("w1", 2, new ReferenceProverBackend());
    cluster.awaitProvers("IDLE", "w1");
    Path hostile = cluster.inputsDir().resolve("nul.toml");
    Files.writeString(hostile, SECRET_LINE + "\0 = 1\n");

    JobStatus job = cluster.awaitState(cluster.launch(hostile, 2), "FAILED");

    assertFailedWith(job, "input_path: line 1: unknown key");
    // The worker stayed registered and serves the next job.
    JobStatus next = cluster.awaitState(cluster.launch(cluster.referenceInput(), 2), "COMPLETED");
    assertEquals("COMPLETED", next.getState(), next.getError().getMessage());
  }

  @Test
  void devZeroIsRefusedWithoutReadingIt() {
    cluster = Cluster.start();
    cluster.worker("w1", 2, new ReferenceProverBackend());
    cluster.awaitProvers("IDLE", "w1");

    JobStatus job = cluster.awaitState(cluster.launch(Path.of("/dev/zero"), 2), "FAILED");

    assertFailedWith(job, "input_path is outside the worker's inputs directories");
  }

  @Test
  void aRelativeInputPathNamesTheSameFileForTheWorkersAndTheCoordinatorsVerifier() {
    // given: the quick start's layout, workers and coordinator reading one inputs directory
    cluster = Cluster.start();
    cluster.worker("w1", 1, new ReferenceProverBackend());
    cluster.worker("w2", 1, new ReferenceProverBackend());
    cluster.awaitProvers("IDLE", "w1", "w2");
    Path input = cluster.referenceInput();

    // when: LaunchProof names it relative to that directory, as "input_path": "input.toml" does
    String jobId = cluster.launch(input.getFileName(), 2);

    // then: the coordinator's reference verifier found the same file and accepted the proof
    JobStatus job =
        cluster.awaitJob(
            jobId, "to end", status -> List.of("COMPLETED", "FAILED").contains(status.getState()));
    assertEquals("COMPLETED", job.getState(), job.getError().getMessage());
    assertTrue(cluster.verifyProof(jobId, input).valid());
  }

  private static void assertFailedWith(JobStatus job, String rule) {
    assertEquals("FAILED", job.getState());
    String message = job.getError().getMessage();
    assertTrue(message.contains(rule), message);
    assertFalse(message.contains("SECRET"), message);
    assertFalse(message.contains("\0"), message);
  }
}
