package zisk.distributed.common.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MetricsEndpointTest {

  private final HttpClient http = HttpClient.newHttpClient();
  private final PrometheusMeterRegistry registry = Registries.prometheus();
  private MetricsEndpoint endpoint;

  @BeforeEach
  void start() throws Exception {
    registry.counter("zisk.test.things").increment(3);
    endpoint = MetricsEndpoint.start("127.0.0.1", 0, registry);
  }

  @AfterEach
  void stop() {
    endpoint.close();
  }

  @Test
  void servesThePrometheusTextFormatOnMetrics() throws Exception {
    HttpResponse<String> response = get("/metrics", "GET");

    assertEquals(200, response.statusCode());
    assertEquals(MetricsEndpoint.CONTENT_TYPE, response.headers().firstValue("content-type").get());
    assertTrue(response.body().contains("zisk_test_things_total 3.0"), response.body());
    assertTrue(response.body().contains("jvm_memory_used_bytes"), "JVM meters are bound");
  }

  @Test
  void answersNothingElse() throws Exception {
    assertEquals(404, get("/", "GET").statusCode());
    assertEquals(404, get("/metrics/../admin", "GET").statusCode());
    assertEquals(405, get("/metrics", "POST").statusCode());
  }

  private HttpResponse<String> get(String path, String method) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
