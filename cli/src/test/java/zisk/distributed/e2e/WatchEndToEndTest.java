package zisk.distributed.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import zisk.distributed.api.v1.JobEvent;
import zisk.distributed.api.v1.TaskProgress;
import zisk.distributed.api.v1.TaskType;
import zisk.distributed.coordinator.testing.RecordingWatch;
import zisk.distributed.worker.testing.ControlledBackend;

/** WatchJob with a real worker over the reference prover: events and progress to the end. */
class WatchEndToEndTest {

  private Cluster cluster;

  @BeforeEach
  void startCluster() {
    cluster = Cluster.start();
  }

  @AfterEach
  void stopCluster() {
    cluster.close();
  }

  @Test
  void aWatcherSeesTheJobsEventsAndItsProversProgressUntilTheJobCompletes() throws Exception {
    // given: a worker whose first phase waits until the watcher is there
    ControlledBackend backend = ControlledBackend.overReference();
    CountDownLatch gate = backend.blockIn(TaskType.PARTIAL_CONTRIBUTION);
    cluster.worker("gpu-1", 2, backend);
    cluster.awaitProvers("IDLE", "gpu-1");
    String jobId = cluster.launch(cluster.referenceInput(), 2);
    backend.awaitStarted(TaskType.PARTIAL_CONTRIBUTION, Cluster.WAIT);
    RecordingWatch watch = RecordingWatch.open(cluster.coordinator().channel(), jobId, 0);
    await("the status").atMost(Cluster.WAIT).until(() -> !watch.received().isEmpty());

    // when
    gate.countDown();

    // then
    assertEquals(Status.Code.OK, watch.awaitEnd().getCode());
    List<String> kinds = watch.events().stream().map(JobEvent::getKind).toList();
    assertTrue(kinds.contains("TASK_DISPATCHED"), kinds.toString());
    assertEquals("COMPLETED", kinds.get(kinds.size() - 1), kinds.toString());
    assertFalse(watch.progress().isEmpty(), "the reference prover reports progress");
    TaskProgress progress = watch.progress().get(0);
    assertEquals(jobId, progress.getJobId());
    assertEquals("gpu-1", progress.getProverId());
    assertTrue(progress.getFraction() >= 0 && progress.getFraction() <= 1);
  }
}
