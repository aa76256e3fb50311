package zisk.distributed.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ChannelCredentials;
import io.grpc.TlsChannelCredentials;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zisk.distributed.api.v1.GetProofRequest;
import zisk.distributed.cli.Zisk;
import zisk.distributed.common.tls.TlsManagers;
import zisk.distributed.coordinator.config.CoordinatorConfig;
import zisk.distributed.coordinator.testing.CapturedLogs;
import zisk.distributed.coordinator.testing.TestCertificates;
import zisk.distributed.coordinator.testing.TestCertificates.Authority;
import zisk.distributed.coordinator.testing.TestCertificates.Issued;
import zisk.distributed.reference.VerificationResult;
import zisk.distributed.worker.connection.ClientTls;
import zisk.distributed.worker.testing.ControlledBackend;

/**
 * Workers and {@code zisk proof} against a coordinator that serves TLS, over real sockets, with
 * certificates made here: the cluster's CA, an unrelated CA, and client certificates of each.
 */
class TlsEndToEndTest {

  @TempDir static Path certificates;
  @TempDir Path dir;

  private static Authority ca;
  private static Authority otherCa;
  private static Issued server;
  private static Issued worker;
  private static Issued stranger;

  private Cluster cluster;

  @BeforeAll
  static void makeCertificates() {
    ca = TestCertificates.authority(certificates, "cluster");
    otherCa = TestCertificates.authority(certificates, "unrelated");
    server = ca.server("coordinator");
    worker = ca.client("worker");
    stranger = otherCa.client("stranger");
  }

  @AfterEach
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aWorkerOverHttpsWithTheCaFileProvesAJobThatZiskProofFetchesOverHttps() throws Exception {
    // given
    cluster = Cluster.startWithTls(tls(Optional.empty()), trusting(ca));
    cluster.httpsWorker("tls-solo", 2, ControlledBackend.overReference(), caOnly(ca));
    cluster.awaitProvers("IDLE", "tls-solo");
    Path input = cluster.referenceInput();

    // when
    String jobId = cluster.launch(input, 2);
    cluster.awaitState(jobId, "COMPLETED");
    Path saved = dir.resolve("proof.bin");
    int status =
        zisk("proof", jobId, "-o", saved.toString(), "--ca-file", ca.certFile().toString());

    // then
    VerificationResult verdict = cluster.verifyProof(jobId, input);
    assertTrue(verdict.valid(), verdict.summary());
    assertEquals(0, status);
    assertArrayEquals(
        cluster
            .api()
            .getProof(GetProofRequest.newBuilder().setJobId(jobId).build())
            .getProof()
            .getFinalProof()
            .toByteArray(),
        Files.readAllBytes(saved));
  }

  @Test
  void aWorkerTrustingAnotherCaLogsWhyAndKeepsRetryingWithoutStackTraces() {
    // given
    cluster = Cluster.startWithTls(tls(Optional.empty()), trusting(ca));
    String reason =
        "prover wrong-ca: cannot connect to https://127.0.0.1:"
            + cluster.coordinator().server().port()
            + ": TLS handshake failed: the coordinator's certificate is not signed by a trusted CA"
            + " (give --ca-file the CA that signed it)";

    try (CapturedLogs logs = CapturedLogs.start()) {
      // when
      cluster.httpsWorker("wrong-ca", 1, ControlledBackend.overReference(), caOnly(otherCa));

      // then: the reason, once per attempt, attempt after attempt
      await("three refused attempts")
          .atMost(Cluster.WAIT)
          .until(() -> logs.lines().stream().filter(l -> l.text().endsWith(reason)).count() >= 3);
      assertFalse(
          logs.lines().stream().anyMatch(CapturedLogs.Line::stackTrace), "logged: " + logs.lines());
    }
    assertFalse(cluster.provers().containsKey("wrong-ca"));
  }

  @Test
  void zisksProofTrustingAnotherCaSaysWhyAndExitsThree() {
    // given
    cluster = Cluster.startWithTls(tls(Optional.empty()), trusting(ca));

    // when
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status;
    PrintStream original = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      status =
          zisk(
              "proof",
              "00000000-0000-0000-0000-000000000000",
              "-o",
              dir.resolve("never.bin").toString(),
              "--ca-file",
              otherCa.certFile().toString());
    } finally {
      System.setErr(original);
    }

    // then
    assertEquals(3, status);
    assertEquals(
        "zisk proof: cannot reach the coordinator at "
            + url()
            + ": TLS handshake failed: the coordinator's certificate is not signed by a trusted CA"
            + " (give --ca-file the CA that signed it)",
        err.toString(StandardCharsets.UTF_8).strip());
    assertFalse(Files.exists(dir.resolve("never.bin")));
  }

  @Test
  void mutualTlsAdmitsAWorkerWithACertificateFromTheClientCaAndRefusesOthers() throws Exception {
    // given
    cluster = Cluster.startWithTls(tls(Optional.of(ca.certFile())), presenting(worker, ca));
    String noCertificateReason =
        "prover no-cert: cannot connect to https://127.0.0.1:"
            + cluster.coordinator().server().port()
            + ": TLS handshake failed: the coordinator requires a client certificate signed by"
            + " its client CA (mutual TLS: give --tls-cert-file and --tls-key-file)";

    try (CapturedLogs logs = CapturedLogs.start()) {
      // when
      cluster.httpsWorker("no-cert", 1, ControlledBackend.overReference(), caOnly(ca));
      cluster.httpsWorker(
          "stranger", 1, ControlledBackend.overReference(), withCertificate(stranger));
      cluster.httpsWorker("member", 2, ControlledBackend.overReference(), withCertificate(worker));

      // then
      cluster.awaitProvers("IDLE", "member");
      await("the worker without a certificate to be told why")
          .atMost(Cluster.WAIT)
          .until(() -> logs.lines().stream().anyMatch(l -> l.text().endsWith(noCertificateReason)));
    }
    Path input = cluster.referenceInput();
    String jobId = cluster.launch(input, 2);
    cluster.awaitState(jobId, "COMPLETED");
    assertEquals(List.of("member"), List.copyOf(cluster.provers().keySet()));
    Path saved = dir.resolve("proof.bin");
    assertEquals(
        0,
        zisk(
            "proof",
            jobId,
            "-o",
            saved.toString(),
            "--ca-file",
            ca.certFile().toString(),
            "--tls-cert-file",
            worker.certFile().toString(),
            "--tls-key-file",
            worker.keyFile().toString()));
    assertTrue(cluster.verifyProof(jobId, input).valid());
  }

  private int zisk(String... args) {
    String[] withUrl = new String[args.length + 2];
    System.arraycopy(args, 0, withUrl, 0, args.length);
    withUrl[args.length] = "--url";
    withUrl[args.length + 1] = url();
    return Zisk.commandLine().execute(withUrl);
  }

  private String url() {
    return "https://127.0.0.1:" + cluster.coordinator().server().port();
  }

  private static CoordinatorConfig.Tls tls(Optional<Path> clientCa) {
    return new CoordinatorConfig.Tls(server.certFile(), server.keyFile(), clientCa);
  }

  private static ClientTls caOnly(Authority authority) {
    return new ClientTls(Optional.of(authority.certFile()), Optional.empty(), Optional.empty());
  }

  private static ClientTls withCertificate(Issued certificate) {
    return new ClientTls(
        Optional.of(ca.certFile()),
        Optional.of(certificate.certFile()),
        Optional.of(certificate.keyFile()));
  }

  private static ChannelCredentials trusting(Authority authority) {
    return TlsChannelCredentials.newBuilder()
        .trustManager(TlsManagers.trustManagers("ca", authority.certFile()))
        .build();
  }

  private static ChannelCredentials presenting(Issued certificate, Authority trusted) {
    return TlsChannelCredentials.newBuilder()
        .trustManager(TlsManagers.trustManagers("ca", trusted.certFile()))
        .keyManager(
            TlsManagers.keyManagers("cert", certificate.certFile(), "key", certificate.keyFile()))
        .build();
  }
}
