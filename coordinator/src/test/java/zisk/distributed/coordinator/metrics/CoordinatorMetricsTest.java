package zisk.distributed.coordinator.metrics;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import zisk.distributed.api.v1.CancelJobRequest;
import zisk.distributed.api.v1.LaunchProofRequest;
import zisk.distributed.coordinator.config.CoordinatorConfig;
import zisk.distributed.coordinator.testing.RunningCoordinator;
import zisk.distributed.coordinator.testing.TestDatabase;

/** What an operator reads on /metrics after launching and cancelling jobs on a real coordinator. */
class CoordinatorMetricsTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private RunningCoordinator coordinator;
  private MeterRegistry registry;

  @BeforeEach
  void startCoordinator() {
    coordinator =
        RunningCoordinator.inProcess(CoordinatorConfig.local(TestDatabase.freshJdbcUrl()));
    registry = coordinator.server().metrics().registry();
  }

  @AfterEach
  void stopCoordinator() {
    coordinator.close();
  }

  @Test
  void launchesAndCancelsAreCountedOnceAndTheQueueGaugeFollowsTheDatabase() {
    // given: every series is exported from the start, at zero
    assertEquals(0.0, counter("zisk.jobs.launched"));
    assertEquals(
        0.0, registry.get("zisk.jobs.failed").tag("cause", "prover_lost").counter().count());

    // when: two launches, the second one a repeat of the first (same client request id)
    String jobId = coordinator.stub().launchProof(launch("first")).getJobId();
    coordinator.stub().launchProof(launch("first"));
    coordinator.stub().launchProof(launch("second"));

    // then
    assertEquals(2.0, counter("zisk.jobs.launched"));
    await().atMost(WAIT).until(() -> gauge("zisk.queue.depth") == 2.0);
    assertEquals(
        2.0, registry.get("zisk.jobs").tags("state", "queued", "phase", "none").gauge().value());
    assertEquals(1.0, gauge("zisk.database.up"));

    // when
    coordinator
        .stub()
        .cancelJob(CancelJobRequest.newBuilder().setJobId(jobId).setReason("test").build());

    // then
    assertEquals(1.0, counter("zisk.jobs.cancelled"));
    await().atMost(WAIT).until(() -> gauge("zisk.queue.depth") == 1.0);
    assertFalse(registry.find("grpc.server.processing.duration").timers().isEmpty());
  }

  private double counter(String name) {
    return registry.get(name).counter().count();
  }

  private double gauge(String name) {
    return registry.get(name).gauge().value();
  }

  private static LaunchProofRequest launch(String requestId) {
    return LaunchProofRequest.newBuilder()
        .setBlockId("block-" + requestId)
        .setComputeCapacity(1)
        .setInputPath("/inputs/" + requestId)
        .setClientRequestId(requestId)
        .build();
  }
}
