package zisk.distributed.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import zisk.distributed.api.v1.JobStatus;
import zisk.distributed.cli.Zisk;
import zisk.distributed.coordinator.config.AuthConfig;
import zisk.distributed.coordinator.config.AuthConfig.Role;
import zisk.distributed.coordinator.testing.BearerTokens;
import zisk.distributed.reference.VerificationResult;
import zisk.distributed.worker.connection.BearerToken;
import zisk.distributed.worker.testing.ControlledBackend;

/**
 * With tokens configured, real workers presenting a prover token prove a job launched by a client
 * token, over TCP, and the client fetches its proof with `zisk proof --token`.
 */
class AuthEndToEndTest {

  private static final String PROVER = "fleet-secret-0123456789";
  private static final String CLIENT = "client-secret-0123456789";

  @TempDir Path dir;

  private Cluster cluster;

  @AfterEach
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void workersWithAProverTokenProveAClientsJob() throws Exception {
    // given
    cluster =
        Cluster.startWithTokens(
            new AuthConfig(
                List.of(
                    new AuthConfig.Token(
                        "gpu-fleet",
                        Role.PROVER,
                        BearerTokens.sha256Hex(PROVER),
                        Optional.of("gpu-*")),
                    BearerTokens.token("ci", Role.CLIENT, CLIENT))),
            CLIENT);
    cluster.worker("gpu-1", 2, ControlledBackend.overReference(), BearerToken.of(PROVER));
    cluster.worker("gpu-2", 1, ControlledBackend.overReference(), BearerToken.of(PROVER));
    cluster.awaitProvers("IDLE", "gpu-1", "gpu-2");
    Path input = cluster.referenceInput();

    // when
    String jobId = cluster.launch(input, 3);
    JobStatus done = cluster.awaitState(jobId, "COMPLETED");

    // then
    assertEquals(2, done.getAssignedProversCount());
    VerificationResult verdict = cluster.verifyProof(jobId, input);
    assertTrue(verdict.valid(), verdict.summary());
    assertEquals(
        1,
        cluster.count(
            "SELECT count(*) FROM job_events WHERE job_id = :jobId::uuid"
                + " AND event = 'LAUNCHED' AND token_name = 'ci'",
            jobId));

    // and the client command fetches the proof with the token, and is refused without it
    String url = "http://127.0.0.1:" + cluster.coordinator().server().port();
    Path proof = dir.resolve("proof.bin");
    assertEquals(0, zisk("proof", jobId, "-o", proof.toString(), "--url", url, "--token", CLIENT));
    assertTrue(Files.size(proof) > 0);
    Path refused = dir.resolve("refused.bin");
    assertEquals(1, zisk("proof", jobId, "-o", refused.toString(), "--url", url));
    assertFalse(Files.exists(refused));
  }

  private static int zisk(String... args) {
    CommandLine zisk = Zisk.commandLine();
    zisk.setOut(new PrintWriter(new StringWriter()));
    zisk.setErr(new PrintWriter(new StringWriter()));
    return zisk.execute(args);
  }
}
