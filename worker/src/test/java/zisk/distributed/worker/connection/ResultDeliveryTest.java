package zisk.distributed.worker.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import zisk.distributed.api.v1.ExecuteTaskResponse;
import zisk.distributed.api.v1.ProverMessage;

class ResultDeliveryTest {

  /** Records what it is given; refuses writes once closed. */
  private static final class Recorder implements Outbound {
    final List<String> taskIds = new ArrayList<>();
    boolean closed;

    @Override
    public boolean send(ProverMessage message) {
      if (closed) {
        return false;
      }
      taskIds.add(message.getExecuteTaskResponse().getTaskId());
      return true;
    }
  }

  private final AtomicLong now = new AtomicLong();
  private final ResultDelivery delivery =
      new ResultDelivery("p1", Duration.ofSeconds(30), now::get);

  @Test
  void sendsAtOnceOnAnAcceptedSession() {
    Recorder session = new Recorder();
    delivery.sessionAccepted(session);

    delivery.deliver(result("j1", "t1"));

    assertEquals(List.of("t1"), session.taskIds);
    assertEquals(0, delivery.pendingCount());
  }

  @Test
  void keepsResultsWhileDisconnectedAndSendsThemInOrderAfterAcceptance() {
    delivery.deliver(result("j1", "t1"));
    delivery.deliver(result("j1", "t2"));
    assertEquals(Optional.of("j1"), delivery.pendingJobId());

    Recorder session = new Recorder();
    delivery.sessionAccepted(session);

    assertEquals(List.of("t1", "t2"), session.taskIds);
    assertEquals(Optional.empty(), delivery.pendingJobId());
  }

  @Test
  void keepsAResultWhoseWriteFailed() {
    Recorder session = new Recorder();
    delivery.sessionAccepted(session);
    session.closed = true;

    delivery.deliver(result("j1", "t1"));

    assertEquals(1, delivery.pendingCount());
  }

  @Test
  void resendsAResultWrittenJustBeforeTheStreamBroke() {
    Recorder first = new Recorder();
    delivery.sessionAccepted(first);
    delivery.deliver(result("j1", "t1"));
    now.addAndGet(Duration.ofSeconds(2).toNanos());

    delivery.sessionEnded(first, true);
    Recorder second = new Recorder();
    delivery.sessionAccepted(second);

    assertEquals(List.of("t1"), second.taskIds);
  }

  @Test
  void doesNotResendAnOldResultOrAfterAGracefulClose() {
    Recorder first = new Recorder();
    delivery.sessionAccepted(first);
    delivery.deliver(result("j1", "old"));
    now.addAndGet(Duration.ofSeconds(31).toNanos());
    delivery.deliver(result("j2", "recent"));

    delivery.sessionEnded(first, true);
    Recorder second = new Recorder();
    delivery.sessionAccepted(second);
    delivery.deliver(result("j2", "later"));
    delivery.sessionEnded(second, false);

    assertEquals(List.of("recent", "later"), second.taskIds);
    assertEquals(0, delivery.pendingCount());
  }

  @Test
  void namesTheJobOfTheNewestKeptResult() {
    // j1's results were written just before the stream broke and are kept to be sent again; j2's
    // last result finished while disconnected. The worker works for j2 now: a reconnect must name
    // it.
    Recorder first = new Recorder();
    delivery.sessionAccepted(first);
    delivery.deliver(result("j1", "t1"));
    delivery.deliver(result("j2", "t2"));
    delivery.sessionEnded(first, true);
    delivery.deliver(result("j2", "t3"));

    assertEquals(Optional.of("j2"), delivery.pendingJobId());
  }

  @Test
  void forgetsResultsOfACancelledJob() {
    delivery.deliver(result("j1", "t1"));
    delivery.deliver(result("j2", "t2"));

    delivery.forgetJob("j1");

    assertEquals(Optional.of("j2"), delivery.pendingJobId());
    assertTrue(delivery.pendingCount() == 1);
  }

  private static ExecuteTaskResponse result(String jobId, String taskId) {
    return ExecuteTaskResponse.newBuilder()
        .setJobId(jobId)
        .setTaskId(taskId)
        .setSuccess(true)
        .build();
  }
}
