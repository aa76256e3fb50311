package zisk.distributed.coordinator.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.stub.ServerCallStreamObserver;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import zisk.distributed.api.v1.CoordinatorMessage;
import zisk.distributed.api.v1.ExecuteTaskRequest;

/** A task given up on while the prover still runs it, and whose JobCancelled never reached it. */
class ProverSessionTest {

  /** Records what the session writes, as one line per message. */
  private static final class Recorder extends ServerCallStreamObserver<CoordinatorMessage> {
    final List<String> sent = new ArrayList<>();

    @Override
    public void onNext(CoordinatorMessage message) {
      sent.add(switch (message.getMessageCase()) {
        case EXECUTE_TASK -> "task " + message.getExecuteTask().getTaskId();
        case JOB_CANCELLED -> "cancel " + message.getJobCancelled().getJobId() + "/" + message.getJobCancelled().getTaskId();
        default -> message.getMessageCase().name();
      });
    }

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public void setOnCancelHandler(Runnable onCancelHandler) {}

    @Override
    public void setCompression(String compression) {}

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setOnReadyHandler(Runnable onReadyHandler) {}

    @Override
    public void disableAutoInboundFlowControl() {}

    @Override
    public void request(int count) {}

    @Override
    public void setMessageCompression(boolean enable) {}
  }

  private final Recorder stream = new Recorder();
  private final ProverSession session = new ProverSession("w1", 1, stream, Clock.systemUTC());

  @Test
  void aNewTaskFirstTellsTheProverToDropAnUnansweredOne() {
    session.sendTask(task("job-a", "t1"));

    session.sendTask(task("job-b", "t2"));

    assertEquals(List.of("task t1", "cancel job-a/t1", "task t2"), stream.sent);
  }

  @Test
  void anAnsweredTaskIsNotCancelled() {
    session.sendTask(task("job-a", "t1"));
    session.answered("t1");

    session.sendTask(task("job-a", "t2"));

    assertEquals(List.of("task t1", "task t2"), stream.sent);
  }

  @Test
  void aTaskAlreadyCancelledOnThisStreamIsNotCancelledTwice() {
    session.sendTask(task("job-a", "t1"));
    session.sendCancel("job-a", "", "job cancelled");

    session.sendTask(task("job-b", "t2"));

    assertEquals(List.of("task t1", "cancel job-a/", "task t2"), stream.sent);
  }

  @Test
  void theSameTaskSentAgainCancelsNothing() {
    session.sendTask(task("job-a", "t1"));

    session.sendTask(task("job-a", "t1"));

    assertEquals(List.of("task t1", "task t1"), stream.sent);
  }

  private static ExecuteTaskRequest task(String jobId, String taskId) {
    return ExecuteTaskRequest.newBuilder().setProverId("w1").setJobId(jobId).setTaskId(taskId).build();
  }
}
