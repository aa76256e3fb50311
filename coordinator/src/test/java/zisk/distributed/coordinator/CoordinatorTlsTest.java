package zisk.distributed.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zisk.distributed.api.v1.HealthCheckRequest;
import zisk.distributed.api.v1.HealthCheckResponse;
import zisk.distributed.api.v1.ZiskDistributedApiGrpc;
import zisk.distributed.common.config.ConfigException;
import zisk.distributed.common.tls.HandshakeFailures;
import zisk.distributed.common.tls.TlsManagers;
import zisk.distributed.coordinator.config.CoordinatorConfig;
import zisk.distributed.coordinator.testing.CapturedLogs;
import zisk.distributed.coordinator.testing.RunningCoordinator;
import zisk.distributed.coordinator.testing.TestCertificates;
import zisk.distributed.coordinator.testing.TestCertificates.Authority;
import zisk.distributed.coordinator.testing.TestCertificates.Issued;
import zisk.distributed.coordinator.testing.TestDatabase;

/**
 * The coordinator's port with TLS and mutual TLS, over real sockets, with certificates made here: a
 * CA that signs the server and client certificates, an unrelated CA, and an expired certificate.
 */
class CoordinatorTlsTest {

  @TempDir static Path dir;

  private static Authority ca;
  private static Authority otherCa;
  private static Issued server;
  private static Issued expiredServer;
  private static Issued client;
  private static Issued otherClient;

  private RunningCoordinator coordinator;

  @BeforeAll
  static void makeCertificates() {
    ca = TestCertificates.authority(dir, "zisk-test");
    otherCa = TestCertificates.authority(dir, "unrelated");
    server = ca.server("coordinator");
    expiredServer = ca.expiredServer("expired-coordinator");
    client = ca.client("client");
    otherClient = otherCa.client("stranger");
  }

  @AfterEach
  void stop() {
    if (coordinator != null) {
      coordinator.close();
    }
  }

  @Test
  void aClientTrustingTheCaIsServed() {
    coordinator = start(server, Optional.empty());

    assertEquals(
        HealthCheckResponse.newBuilder().setStatus("SERVING").build(), healthCheck(trusting(ca)));
  }

  @Test
  void aClientTrustingAnotherCaFailsTheHandshakeWithAClearReason() {
    coordinator = start(server, Optional.empty());

    StatusRuntimeException refused =
        assertThrows(StatusRuntimeException.class, () -> healthCheck(trusting(otherCa)));

    assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
    assertEquals(
        Optional.of(
            "TLS handshake failed: the coordinator's certificate is not signed by a trusted CA"
                + " (give --ca-file the CA that signed it)"),
        HandshakeFailures.explain(refused, true));
  }

  @Test
  void anExpiredServerCertificateIsRefused() {
    coordinator = start(expiredServer, Optional.empty());

    StatusRuntimeException refused =
        assertThrows(StatusRuntimeException.class, () -> healthCheck(trusting(ca)));

    assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
    assertEquals(
        Optional.of("TLS handshake failed: the coordinator's certificate has expired"),
        HandshakeFailures.explain(refused, true));
  }

  @Test
  void plaintextOrAFailedHandshakeCostsTheCoordinatorAtMostOneLogLine() throws Exception {
    coordinator = start(server, Optional.empty());
    List<CapturedLogs.Line> logged;

    try (CapturedLogs logs = CapturedLogs.start()) {
      StatusRuntimeException refused =
          assertThrows(
              StatusRuntimeException.class, () -> healthCheck(InsecureChannelCredentials.create()));
      assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
      assertTrue(
          HandshakeFailures.explain(refused, false).orElse("").contains("use an https:// URL"),
          refused.getStatus().toString());
      assertEquals(-1, sendAndAwaitClose("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
      assertThrows(StatusRuntimeException.class, () -> healthCheck(trusting(otherCa)));
      // Still serving TLS clients afterwards.
      assertEquals("SERVING", healthCheck(trusting(ca)).getStatus());
      logged = logs.lines();
    }

    assertTrue(logged.size() <= 1, "logged: " + logged);
    assertFalse(logged.stream().anyMatch(CapturedLogs.Line::stackTrace), "logged: " + logged);
  }

  @Test
  void anHttpsClientAgainstAPlaintextPortIsToldTheCoordinatorDoesNotSpeakTls() {
    coordinator = RunningCoordinator.onTcp(CoordinatorConfig.local(TestDatabase.freshJdbcUrl()));

    StatusRuntimeException refused =
        assertThrows(StatusRuntimeException.class, () -> healthCheck(trusting(ca)));

    assertEquals(
        Optional.of(
            "TLS handshake failed: the coordinator does not speak TLS on this port (use an"
                + " http:// URL if it is plaintext)"),
        HandshakeFailures.explain(refused, true));
  }

  @Test
  void mutualTlsRefusesAClientWithoutACertificate() {
    coordinator = start(server, Optional.of(ca.certFile()));

    StatusRuntimeException refused =
        assertThrows(StatusRuntimeException.class, () -> healthCheck(trusting(ca)));

    assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
    assertTrue(
        HandshakeFailures.explain(refused, true)
            .orElseThrow()
            .contains("requires a client certificate signed by its client CA"),
        refused.getStatus().toString());
  }

  @Test
  void mutualTlsRefusesAClientCertificateFromAnotherCa() {
    coordinator = start(server, Optional.of(ca.certFile()));

    StatusRuntimeException refused =
        assertThrows(StatusRuntimeException.class, () -> healthCheck(presenting(otherClient, ca)));

    assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
  }

  @Test
  void mutualTlsServesAClientWhoseCertificateTheClientCaSigned() {
    coordinator = start(server, Optional.of(ca.certFile()));

    assertEquals("SERVING", healthCheck(presenting(client, ca)).getStatus());
  }

  @Test
  void aKeyThatIsNotTheCertificatesStopsTheStartNamingTheFile() {
    Issued another = ca.server("another");
    CoordinatorConfig.Tls mismatched =
        new CoordinatorConfig.Tls(server.certFile(), another.keyFile(), Optional.empty());

    ConfigException error =
        assertThrows(
            ConfigException.class, () -> ServerSecurity.credentials(Optional.of(mismatched)));

    assertEquals(
        "server.tls.key_file: the key in "
            + another.keyFile()
            + " does not belong to the first certificate in "
            + server.certFile(),
        error.getMessage());
  }

  @Test
  void theStartupLineSaysWhetherTlsIsOnAndMutual() {
    assertEquals("TLS off (plaintext)", ServerSecurity.describe(Optional.empty()));
    assertEquals(
        "TLS on",
        ServerSecurity.describe(
            Optional.of(
                new CoordinatorConfig.Tls(server.certFile(), server.keyFile(), Optional.empty()))));
    assertEquals(
        "TLS on, mutual (client certificates signed by " + ca.certFile() + ")",
        ServerSecurity.describe(
            Optional.of(
                new CoordinatorConfig.Tls(
                    server.certFile(), server.keyFile(), Optional.of(ca.certFile())))));
  }

  private static RunningCoordinator start(Issued certificate, Optional<Path> clientCa) {
    CoordinatorConfig config =
        CoordinatorConfig.local(TestDatabase.freshJdbcUrl())
            .withTls(
                Optional.of(
                    new CoordinatorConfig.Tls(
                        certificate.certFile(), certificate.keyFile(), clientCa)));
    return RunningCoordinator.onTcp(config, presenting(client, ca));
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

  /** One call on a fresh channel, so every call does its own handshake. */
  private HealthCheckResponse healthCheck(ChannelCredentials credentials) {
    ManagedChannel channel =
        Grpc.newChannelBuilderForAddress("127.0.0.1", coordinator.server().port(), credentials)
            .build();
    try {
      return ZiskDistributedApiGrpc.newBlockingStub(channel)
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .healthCheck(HealthCheckRequest.getDefaultInstance());
    } finally {
      channel.shutdownNow();
    }
  }

  /** Writes bytes that are not TLS and reads until the coordinator closes the connection. */
  private int sendAndAwaitClose(String text) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", coordinator.server().port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(text.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      int read;
      do {
        read = in.read();
      } while (read != -1);
      return read;
    } catch (java.net.SocketException reset) {
      return -1; // a reset is a close too
    }
  }
}
