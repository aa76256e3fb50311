package zisk.distributed.coordinator.scheduling;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import zisk.distributed.api.v1.CancelJobRequest;
import zisk.distributed.api.v1.FinalProof;
import zisk.distributed.api.v1.FinalProofList;
import zisk.distributed.api.v1.GetProofRequest;
import zisk.distributed.api.v1.LaunchProofRequest;
import zisk.distributed.api.v1.LaunchProofResponse;
import zisk.distributed.coordinator.config.CoordinatorConfig;
import zisk.distributed.coordinator.config.WebhookConfig;
import zisk.distributed.coordinator.store.Migrations;
import zisk.distributed.coordinator.store.Store;
import zisk.distributed.coordinator.testing.RunningCoordinator;
import zisk.distributed.coordinator.testing.TestDatabase;
import zisk.distributed.coordinator.testing.WebhookReceiver;
import zisk.distributed.coordinator.testing.WebhookReceiver.Received;

/**
 * Webhooks end to end: real coordinators on real PostgreSQL POST job outcomes to a real HTTP
 * receiver, retrying, signing, and sharing the outbox between coordinators.
 */
class WebhookDeliveryTest {

  private static final String SECRET = "test-webhook-secret";
  private static final Duration WAIT = Duration.ofSeconds(30);

  private String jdbcUrl;
  private WebhookReceiver receiver;
  private RunningCoordinator coordinator;
  private RunningCoordinator other;

  @BeforeEach
  void createDatabase() {
    jdbcUrl = TestDatabase.freshJdbcUrl();
  }

  @AfterEach
  void stop() {
    for (AutoCloseable closeable : new AutoCloseable[] {other, coordinator, receiver}) {
      if (closeable != null) {
        try {
          closeable.close();
        } catch (Exception e) {
          // best effort
        }
      }
    }
  }

  @Test
  void aReceiverThatFailsOnceGetsTheOutcomeOnRetryWithTheSameKeyAndAValidSignature()
      throws Exception {
    receiver = new WebhookReceiver(500);
    coordinator = start(webhooks(SECRET, Duration.ofSeconds(5), 10, List.of()));
    String jobId = launch(receiver.url("/hooks/zisk")).getJobId();

    coordinator
        .stub()
        .cancelJob(CancelJobRequest.newBuilder().setJobId(jobId).setReason("wrong block").build());

    await().atMost(WAIT).until(() -> deliveryState(jobId).equals("DELIVERED"));
    List<Received> calls = receiver.received();
    assertEquals(2, calls.size());
    Received first = calls.get(0);
    Received second = calls.get(1);
    assertEquals("/hooks/zisk", second.path());
    assertEquals("application/json", second.header("Content-Type"));
    assertEquals(first.header("Idempotency-Key"), second.header("Idempotency-Key"));
    assertEquals("1", first.header("X-Zisk-Delivery-Attempt"));
    assertEquals("2", second.header("X-Zisk-Delivery-Attempt"));
    assertArrayEquals(first.body(), second.body());
    for (Received call : calls) {
      assertEquals(
          "sha256=" + hmac(SECRET, call.header("X-Zisk-Timestamp") + "." + call.bodyText()),
          call.header("X-Zisk-Signature"));
    }
    JsonObject body = json(second.body());
    assertEquals(jobId, body.get("job_id").getAsString());
    assertEquals("b-1", body.get("block_id").getAsString());
    assertEquals("CANCELLED", body.get("state").getAsString());
    assertEquals("CANCELLED", body.getAsJsonObject("error").get("code").getAsString());
    assertTrue(body.getAsJsonObject("error").get("message").getAsString().contains("wrong block"));
    assertTrue(body.get("proof").isJsonNull());
    assertTrue(body.getAsJsonObject("timings").get("finished_at").getAsString().endsWith("Z"));
    assertTrue(body.getAsJsonObject("timings").get("duration_ms").getAsLong() >= 0);
    assertEquals(List.of("WEBHOOK_DELIVERED"), webhookEvents(jobId));
  }

  @Test
  void aCompletedJobsBodyCarriesTheSizeAndSha256OfTheProofGetProofServes() throws Exception {
    receiver = new WebhookReceiver();
    coordinator = start(webhooks(SECRET, Duration.ofSeconds(5), 10, List.of()));
    String jobId = launch(receiver.url("/done")).getJobId();
    FinalProofList proof =
        FinalProofList.newBuilder()
            .addFinalProofs(FinalProof.newBuilder().addValues(7).addValues(11))
            .build();

    coordinator
        .jdbi()
        .useHandle(
            h ->
                h.createUpdate(
                        """
            UPDATE jobs SET state = 'COMPLETED', phase = 'AGGREGATE', attempt = 1, started_at = now(),
                            finished_at = now(), final_proof = :proof WHERE job_id = :id::uuid""")
                    .bind("proof", proof.toByteArray())
                    .bind("id", jobId)
                    .execute());

    await().atMost(WAIT).until(() -> receiver.received().size() == 1);
    JsonObject body = json(receiver.received().get(0).body());
    byte[] served =
        coordinator
            .stub()
            .getProof(GetProofRequest.newBuilder().setJobId(jobId).build())
            .getProof()
            .getFinalProof()
            .toByteArray();
    assertEquals("COMPLETED", body.get("state").getAsString());
    assertEquals(1, body.get("attempts").getAsInt());
    assertEquals(served.length, body.getAsJsonObject("proof").get("size_bytes").getAsInt());
    assertEquals(
        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(served)),
        body.getAsJsonObject("proof").get("sha256").getAsString());
    assertTrue(body.get("error").isJsonNull());
    assertFalse(body.getAsJsonObject("timings").get("started_at").isJsonNull());
  }

  @Test
  void aFailedJobsBodyCarriesItsError() throws Exception {
    receiver = new WebhookReceiver();
    coordinator = start(webhooks(SECRET, Duration.ofSeconds(5), 10, List.of()));
    String jobId = launch(receiver.url("/failed")).getJobId();

    coordinator
        .jdbi()
        .useHandle(
            h ->
                h.execute(
                    """
            UPDATE jobs SET state = 'FAILED', finished_at = now(), error_code = 'MAX_ATTEMPTS',
                            error_message = 'three attempts failed' WHERE job_id = ?::uuid""",
                    jobId));

    await().atMost(WAIT).until(() -> receiver.received().size() == 1);
    JsonObject body = json(receiver.received().get(0).body());
    assertEquals("FAILED", body.get("state").getAsString());
    assertEquals("MAX_ATTEMPTS", body.getAsJsonObject("error").get("code").getAsString());
    assertEquals(
        "three attempts failed", body.getAsJsonObject("error").get("message").getAsString());
  }

  @Test
  void anAttemptThatTimesOutIsRetried() {
    receiver = new WebhookReceiver(WebhookReceiver.HANG);
    coordinator = start(webhooks(SECRET, Duration.ofSeconds(1), 10, List.of()));
    String jobId = launch(receiver.url("/slow")).getJobId();

    cancel(jobId);

    await().atMost(WAIT).until(() -> deliveryState(jobId).equals("DELIVERED"));
    assertEquals(2, receiver.received().size());
    assertEquals(
        receiver.received().get(0).header("Idempotency-Key"),
        receiver.received().get(1).header("Idempotency-Key"));
  }

  @Test
  void afterMaxAttemptsTheDeliveryIsFailedWithItsLastErrorAndUnsignedWithoutASecret() {
    receiver = new WebhookReceiver(503, 503, 503, 503);
    coordinator = start(webhooks(null, Duration.ofSeconds(5), 2, List.of()));
    String jobId = launch(receiver.url("/down")).getJobId();

    cancel(jobId);

    await().atMost(WAIT).until(() -> deliveryState(jobId).equals("FAILED"));
    assertEquals(2, receiver.received().size(), "no attempt after the last");
    assertEquals(
        "HTTP 503",
        query("SELECT last_error FROM webhook_deliveries WHERE job_id = '" + jobId + "'"));
    assertEquals(List.of("WEBHOOK_FAILED"), webhookEvents(jobId));
    assertNull(receiver.received().get(0).header("X-Zisk-Signature"));
  }

  @Test
  void aDeliveryLeftByAStoppedCoordinatorIsDeliveredByAnother() {
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setURL(jdbcUrl);
    new Migrations(dataSource).prepare(true);
    receiver = new WebhookReceiver();
    UUID jobId = endedJobWithWebhook(jdbcUrl, receiver.url("/left"));
    // What a coordinator that died mid-send leaves: the attempt claimed, leased, never recorded.
    UUID gone = UUID.randomUUID();
    assertEquals(1, new Store(dataSource).read(tx -> tx.webhooks().claimDue(gone, 2, 16)).size());

    coordinator = start(webhooks(SECRET, Duration.ofSeconds(5), 10, List.of()));

    await().atMost(WAIT).until(() -> deliveryState(jobId.toString()).equals("DELIVERED"));
    assertEquals(1, receiver.received().size());
    assertEquals("2", receiver.received().get(0).header("X-Zisk-Delivery-Attempt"));
    assertEquals(
        coordinator.server().instanceId().toString(),
        query("SELECT claimed_by::text FROM webhook_deliveries WHERE job_id = '" + jobId + "'"));
  }

  @Test
  void twoCoordinatorsNeverSendOneAttemptTwice() {
    receiver = new WebhookReceiver();
    WebhookConfig config = webhooks(SECRET, Duration.ofSeconds(5), 10, List.of());
    coordinator = start(config);
    other = start(config);
    String url = receiver.url("/many");
    int jobs = 40;
    coordinator
        .jdbi()
        .useHandle(
            h -> {
              for (int i = 0; i < jobs; i++) {
                h.execute(
                    "INSERT INTO jobs (block_id, input_path, compute_capacity, webhook_url)"
                        + " VALUES (?, '/in', 1, ?)",
                    "b" + i,
                    url);
              }
              h.execute(
                  "UPDATE jobs SET state = 'CANCELLED', finished_at = now(), error_code ="
                      + " 'CANCELLED', error_message = 'all at once'");
            });

    await()
        .atMost(WAIT)
        .until(
            () ->
                query("SELECT count(*) FROM webhook_deliveries WHERE state = 'DELIVERED'")
                    .equals(Integer.toString(jobs)));
    List<Received> calls = receiver.received();
    Set<String> keys =
        calls.stream().map(call -> call.header("Idempotency-Key")).collect(Collectors.toSet());
    assertEquals(jobs, calls.size(), "one POST per delivery");
    assertEquals(jobs, keys.size());
  }

  @Test
  void invalidUrlsAndDisallowedHostsAreRefusedAtLaunchWithNothingCreated() {
    coordinator =
        start(
            webhooks(
                SECRET, Duration.ofSeconds(5), 10, List.of("hooks.example.com", "*.example.org")));

    assertInvalid("ftp://hooks.example.com/x", "webhook_url must be an absolute http or https");
    assertInvalid("/relative/path", "webhook_url must be an absolute http or https");
    assertInvalid("http://user:pw@hooks.example.com/", "webhook_url must not carry user");
    assertInvalid("http:///nohost", "webhook_url must name a host");
    assertInvalid("http://hooks example.com/", "webhook_url is not a valid URL");
    assertInvalid(
        "https://hooks.example.com/" + "p".repeat(2048), "webhook_url is 2074 characters");
    assertInvalid("https://evil.test/hook", "webhook_url's host 'evil.test' is not in");
    assertInvalid("https://example.org/hook", "webhook_url's host 'example.org' is not in");
    assertInvalid("https://hooks.example.com.evil.test/", "webhook_url's host");
    assertEquals("0", query("SELECT count(*) FROM jobs"));

    assertTrue(launch("https://HOOKS.example.com/zisk?x=1").hasJobId());
    assertTrue(launch("http://a.b.example.org:8443/zisk").hasJobId());
    assertEquals("2", query("SELECT count(*) FROM jobs WHERE webhook_url IS NOT NULL"));
  }

  private void assertInvalid(String url, String expectedStart) {
    LaunchProofResponse response = launch(url);
    assertEquals("INVALID_ARGUMENT", response.getError().getCode(), response.toString());
    assertTrue(
        response.getError().getMessage().startsWith(expectedStart),
        response.getError().getMessage());
  }

  /** {@code jdbcUrl}, not the data source's URL, which leaves out the user the URL names. */
  private static UUID endedJobWithWebhook(String jdbcUrl, String url) {
    String id = UUID.randomUUID().toString();
    TestDatabase.execute(
        jdbcUrl,
        "INSERT INTO jobs (job_id, block_id, input_path, compute_capacity, webhook_url) VALUES ('"
            + id
            + "', 'b', '/in', 1, '"
            + url
            + "')");
    TestDatabase.execute(
        jdbcUrl,
        "UPDATE jobs SET state = 'CANCELLED', finished_at = now() WHERE job_id = '" + id + "'");
    return UUID.fromString(id);
  }

  private LaunchProofResponse launch(String webhookUrl) {
    return coordinator
        .stub()
        .launchProof(
            LaunchProofRequest.newBuilder()
                .setBlockId("b-1")
                .setComputeCapacity(1)
                .setInputPath("/in")
                .setWebhookUrl(webhookUrl)
                .build());
  }

  private void cancel(String jobId) {
    coordinator.stub().cancelJob(CancelJobRequest.newBuilder().setJobId(jobId).build());
  }

  private String deliveryState(String jobId) {
    return Optional.ofNullable(
            query("SELECT state FROM webhook_deliveries WHERE job_id = '" + jobId + "'"))
        .orElse("");
  }

  private List<String> webhookEvents(String jobId) {
    return coordinator
        .jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT event FROM job_events WHERE job_id = ?::uuid AND event LIKE"
                            + " 'WEBHOOK%' ORDER BY event_id")
                    .bind(0, jobId)
                    .mapTo(String.class)
                    .list());
  }

  private String query(String sql) {
    return coordinator
        .jdbi()
        .withHandle(h -> h.createQuery(sql).mapTo(String.class).findOne().orElse(null));
  }

  private RunningCoordinator start(WebhookConfig webhooks) {
    return RunningCoordinator.inProcess(CoordinatorConfig.local(jdbcUrl).withWebhooks(webhooks));
  }

  private static WebhookConfig webhooks(
      String secret, Duration timeout, int maxAttempts, List<String> allowedHosts) {
    return new WebhookConfig(
        Optional.ofNullable(secret),
        timeout,
        Duration.ofSeconds(1),
        Duration.ofSeconds(2),
        maxAttempts,
        allowedHosts);
  }

  private static String hmac(String secret, String signed) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
  }

  private static void assertArrayEquals(byte[] expected, byte[] actual) {
    org.junit.jupiter.api.Assertions.assertArrayEquals(expected, actual);
  }

  private static JsonObject json(byte[] body) {
    return JsonParser.parseString(new String(body, StandardCharsets.UTF_8)).getAsJsonObject();
  }
}
