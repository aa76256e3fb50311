package zisk.distributed.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zisk.distributed.api.v1.CancelJobRequest;
import zisk.distributed.api.v1.WatchJobRequest;
import zisk.distributed.api.v1.WatchJobResponse;
import zisk.distributed.common.metrics.MetricsEndpoint;
import zisk.distributed.worker.Worker;
import zisk.distributed.worker.testing.ControlledBackend;

/**
 * The ops/ files against a real cluster: Prometheus accepts the configuration and the rules, every
 * metric the rules and the dashboard read is exported by a coordinator or a worker after a job ran,
 * and a real Prometheus scrapes both and answers a query about the job.
 */
class MetricsEndToEndTest {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private Cluster cluster;
  private MetricsEndpoint coordinatorMetrics;
  private MetricsEndpoint workerMetrics;
  private Process prometheus;

  @BeforeEach
  void runOneJob() throws IOException {
    cluster = Cluster.start();
    Worker worker = cluster.worker("metered", 2, ControlledBackend.overReference());
    cluster.awaitProvers("IDLE", "metered");
    String jobId = cluster.launch(cluster.referenceInput(), 2);
    cluster.awaitState(jobId, "COMPLETED");
    coordinatorMetrics =
        MetricsEndpoint.start("127.0.0.1", 0, cluster.coordinator().server().metrics().registry());
    workerMetrics = MetricsEndpoint.start("127.0.0.1", 0, worker.registry());
  }

  @AfterEach
  void stopEverything() throws InterruptedException {
    if (prometheus != null) {
      prometheus.destroy();
      prometheus.waitFor();
    }
    if (coordinatorMetrics != null) {
      coordinatorMetrics.close();
    }
    if (workerMetrics != null) {
      workerMetrics.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void promtoolAcceptsTheConfigurationAndTheRules() throws Exception {
    Path promtool = OpsTools.require("promtool");
    OpsTools.run(
        List.of(
            promtool.toString(),
            "check",
            "config",
            OpsTools.OPS.resolve("prometheus/prometheus.yml").toString()));
    String rules =
        OpsTools.run(
            List.of(
                promtool.toString(),
                "check",
                "rules",
                OpsTools.OPS.resolve("prometheus/alerts.yml").toString()));
    assertTrue(rules.contains("SUCCESS: 5 rules found"), rules);
  }

  @Test
  void everyMetricTheRulesAndTheDashboardReadIsExported() throws Exception {
    OpsTools.require("promtool"); // the same tools as the other checks of ops/
    Set<String> exported = new TreeSet<>();
    exported.addAll(sampleNames(scrape(coordinatorMetrics.port())));
    exported.addAll(sampleNames(scrape(workerMetrics.port())));
    exported.add("up"); // written by Prometheus itself for each target

    Map<String, Set<String>> read = new TreeMap<>();
    for (String expr : alertExpressions()) {
      read.put("alert: " + expr, PromQl.metricNames(expr));
    }
    for (String expr : dashboardExpressions()) {
      read.put("dashboard: " + expr, PromQl.metricNames(expr));
    }

    assertFalse(read.isEmpty());
    // The parser finds names in both files (a parser that found none would pass vacuously).
    assertTrue(read.toString().contains("zisk_jobs_failed_total"), read.toString());
    assertTrue(
        read.toString().contains("zisk_worker_task_duration_seconds_bucket"), read.toString());
    List<String> missing = new ArrayList<>();
    read.forEach(
        (where, names) ->
            names.stream()
                .filter(name -> !exported.contains(name))
                .forEach(name -> missing.add(name + " (" + where + ")")));
    assertEquals(List.of(), missing, "read but not exported; exported: " + exported);
  }

  @Test
  void theEventsOfAWatchedJobReachTheCoordinatorAsNotifications() {
    // Only watched jobs' events notify (V13): a job larger than the cluster waits while watched,
    // then its cancel is an event.
    String jobId = cluster.launch(cluster.referenceInput(), 4);
    Iterator<WatchJobResponse> watch =
        cluster.api().watchJob(WatchJobRequest.newBuilder().setJobId(jobId).build());
    assertTrue(watch.next().hasStatus(), "the watch starts with the job's status");
    cluster
        .api()
        .cancelJob(CancelJobRequest.newBuilder().setJobId(jobId).setReason("watched").build());
    watch.forEachRemaining(response -> {});
    Pattern counted =
        Pattern.compile(
            "(?m)^zisk_notifications_received_total\\{channel=\"job_event\"} [1-9][0-9.]*$");
    await("job_event notifications counted")
        .atMost(Duration.ofSeconds(20))
        .until(() -> counted.matcher(scrape(coordinatorMetrics.port())).find());
  }

  @Test
  void theJobsPhasesAreTimedOnceEach() throws Exception {
    String scrape = scrape(coordinatorMetrics.port());

    for (String phase : List.of("partial_contribution", "prove")) {
      assertTrue(
          Pattern.compile(
                  "(?m)^zisk_phase_duration_seconds_count\\{phase=\"" + phase + "\"} 1(\\.0)?$")
              .matcher(scrape)
              .find(),
          phase
              + " timed once: "
              + scrape.lines().filter(l -> l.contains("phase_duration")).toList());
    }
  }

  @Test
  void prometheusScrapesTheCoordinatorAndTheWorker(@TempDir Path dir) throws Exception {
    Path binary = OpsTools.require("prometheus");
    int port = freePort();
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(
        config,
        """
        global:
          scrape_interval: 1s
        scrape_configs:
          - job_name: zisk-coordinator
            static_configs:
              - targets: ["127.0.0.1:%d"]
          - job_name: zisk-worker
            static_configs:
              - targets: ["127.0.0.1:%d"]
        """
            .formatted(coordinatorMetrics.port(), workerMetrics.port()));
    prometheus =
        new ProcessBuilder(
                binary.toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("prometheus.log").toFile())
            .start();

    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              assertEquals("1", queryValue(port, "sum(zisk_jobs_completed_total)"));
              assertEquals(
                  "1",
                  queryValue(
                      port,
                      "sum(zisk_worker_tasks_total{phase=\"aggregate\",outcome=\"succeeded\"})"));
            });
  }

  private static String scrape(int port) throws IOException, InterruptedException {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    assertTrue(
        response.headers().firstValue("content-type").orElse("").startsWith("text/plain"),
        "content type");
    return response.body();
  }

  /** The sample names of a text-format scrape: histograms appear as _bucket, _count and _sum. */
  private static Set<String> sampleNames(String scrape) {
    Set<String> names = new TreeSet<>();
    for (String line : scrape.split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        names.add(line.split("[{ ]", 2)[0]);
      }
    }
    return names;
  }

  /** The expr of each rule in ops/prometheus/alerts.yml: one line, or a folded block. */
  private static List<String> alertExpressions() throws IOException {
    List<String> lines = Files.readAllLines(OpsTools.OPS.resolve("prometheus/alerts.yml"));
    List<String> expressions = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      int at = line.indexOf("expr:");
      if (at < 0) {
        continue;
      }
      String rest = line.substring(at + "expr:".length()).strip();
      if (!rest.equals(">") && !rest.equals("|")) {
        expressions.add(rest);
        continue;
      }
      StringBuilder block = new StringBuilder();
      while (i + 1 < lines.size() && indent(lines.get(i + 1)) > indent(line)) {
        block.append(lines.get(++i).strip()).append(' ');
      }
      expressions.add(block.toString().strip());
    }
    return expressions;
  }

  private static int indent(String line) {
    return line.length() - line.stripLeading().length();
  }

  private static List<String> dashboardExpressions() throws IOException {
    JsonNode dashboard =
        new ObjectMapper()
            .readTree(OpsTools.OPS.resolve("grafana/dashboards/cluster-overview.json").toFile());
    List<String> expressions = new ArrayList<>();
    for (JsonNode panel : dashboard.get("panels")) {
      for (JsonNode target : panel.get("targets")) {
        expressions.add(target.get("expr").asText());
      }
    }
    return expressions;
  }

  /** The single value of an instant query, or fails while Prometheus has no answer yet. */
  private static String queryValue(int port, String query) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:"
                            + port
                            + "/api/v1/query?query="
                            + URLEncoder.encode(query, StandardCharsets.UTF_8)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    JsonNode body = new ObjectMapper().readTree(response.body());
    assertEquals("success", body.path("status").asText(), response.body());
    JsonNode result = body.path("data").path("result");
    assertEquals(1, result.size(), response.body());
    return result.get(0).path("value").get(1).asText();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
