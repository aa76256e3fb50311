package zisk.distributed.worker.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CoordinatorEndpointTest {

  @Test
  void httpUrlIsPlaintext() {
    assertEquals(
        new CoordinatorEndpoint("127.0.0.1", 8080, false),
        CoordinatorEndpoint.parse("http://127.0.0.1:8080"));
  }

  @Test
  void httpsUrlIsTlsAndDefaultsToPort443() {
    assertEquals(
        new CoordinatorEndpoint("coord.example", 443, true),
        CoordinatorEndpoint.parse("https://coord.example"));
    assertEquals(
        new CoordinatorEndpoint("coord.example", 50051, true),
        CoordinatorEndpoint.parse("HTTPS://coord.example:50051/"));
  }

  @Test
  void hostAndPortAloneIsPlaintext() {
    assertEquals(
        new CoordinatorEndpoint("coord", 50051, false), CoordinatorEndpoint.parse(" coord:50051 "));
  }

  @Test
  void ipv6HostsLoseTheirBrackets() {
    CoordinatorEndpoint endpoint = CoordinatorEndpoint.parse("http://[::1]:8080");

    assertEquals("::1", endpoint.host());
    assertEquals("http://[::1]:8080", endpoint.toString());
  }

  @Test
  void badUrlsAreRejectedWithTheReason() {
    assertTrue(message("grpc://coord:1").contains("http:// (plaintext) or https:// (TLS)"));
    assertTrue(message("coord").contains("no port"));
    assertTrue(message("http://coord:8080/api").contains("only scheme, host and port"));
    assertTrue(message("http://coord:99999").contains("99999"));
    assertTrue(message("").contains("empty"));
  }

  private static String message(String url) {
    return assertThrows(IllegalArgumentException.class, () -> CoordinatorEndpoint.parse(url))
        .getMessage();
  }
}
