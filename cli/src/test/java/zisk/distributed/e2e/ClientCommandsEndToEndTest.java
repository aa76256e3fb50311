package zisk.distributed.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import zisk.distributed.api.v1.FinalProofList;
import zisk.distributed.api.v1.SystemStatus;
import zisk.distributed.api.v1.TaskType;
import zisk.distributed.cli.Zisk;
import zisk.distributed.reference.ReferenceInput;
import zisk.distributed.reference.ReferenceVerifier;
import zisk.distributed.worker.testing.ControlledBackend;

/**
 * The client commands against a real coordinator, for the RPCs it serves today: jobs, status,
 * provers, system, cancel, and watch (by polling, on a coordinator without WatchJob).
 */
class ClientCommandsEndToEndTest {

  @TempDir Path dir;

  private Cluster cluster;
  private StringWriter out;
  private StringWriter err;

  @AfterEach
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private int zisk(String... args) {
    out = new StringWriter();
    err = new StringWriter();
    CommandLine zisk = Zisk.commandLine();
    zisk.setOut(new PrintWriter(out, true));
    zisk.setErr(new PrintWriter(err, true));
    String[] withUrl = new String[args.length + 2];
    System.arraycopy(args, 0, withUrl, 0, args.length);
    withUrl[args.length] = "--url";
    withUrl[args.length + 1] = "http://127.0.0.1:" + cluster.coordinator().server().port();
    return zisk.execute(withUrl);
  }

  @Test
  void listShowCancelAndWatchARunningJob() throws Exception {
    // given: a job held in PROVE
    cluster = Cluster.start();
    ControlledBackend backend = ControlledBackend.overReference();
    backend.blockIn(TaskType.PROVE);
    cluster.worker("client-e2e-prover", 2, backend);
    cluster.awaitProvers("IDLE", "client-e2e-prover");
    String jobId = cluster.launch(cluster.referenceInput(), 2);
    cluster.awaitPhase(jobId, "PROVE");

    // then: every read command shows it
    assertEquals(0, zisk("jobs"), err.toString());
    assertTrue(
        out.toString().contains(jobId) && out.toString().contains("RUNNING"), out.toString());
    assertEquals(0, zisk("status", jobId), err.toString());
    assertTrue(out.toString().contains("phase        PROVE"), out.toString());
    assertEquals(0, zisk("provers"), err.toString());
    assertTrue(out.toString().contains("client-e2e-prover"), out.toString());
    assertEquals(0, zisk("system", "--output", "json"), err.toString());
    SystemStatus.Builder system = SystemStatus.newBuilder();
    JsonFormat.parser().merge(out.toString(), system);
    assertEquals(1, system.getActiveJobs());

    // when
    assertEquals(0, zisk("cancel", jobId, "--reason", "changed my mind"), err.toString());

    // then
    assertTrue(out.toString().contains("CANCELLED"), out.toString());
    assertEquals(1, zisk("status", jobId));
    assertTrue(out.toString().contains("changed my mind"), out.toString());
    assertEquals(1, zisk("watch", jobId), err.toString());
    assertEquals(1, zisk("cancel", jobId), "a cancelled job cannot be cancelled again");
    assertTrue(err.toString().contains("FAILED_PRECONDITION"), err.toString());
    assertEquals(0, zisk("jobs"));
    assertTrue(out.toString().contains("No active jobs"), out.toString());
    assertEquals(0, zisk("jobs", "--all"));
    assertTrue(out.toString().contains(jobId), out.toString());
  }

  @Test
  void watchFollowsAJobToCompletionAndProofSavesIt() throws Exception {
    cluster = Cluster.start();
    cluster.worker("client-e2e-prover", 2, ControlledBackend.overReference());
    cluster.awaitProvers("IDLE", "client-e2e-prover");
    Path input = cluster.referenceInput();
    String jobId = cluster.launch(input, 2);

    assertEquals(0, zisk("watch", jobId), err.toString());
    assertTrue(out.toString().contains("COMPLETED job " + jobId), out.toString());

    Path proof = dir.resolve("proof.bin");
    assertEquals(0, zisk("proof", jobId, "-o", proof.toString()), err.toString());
    FinalProofList saved = FinalProofList.parseFrom(Files.readAllBytes(proof));
    assertTrue(ReferenceVerifier.verify(ReferenceInput.read(input), saved).valid());
  }
}
