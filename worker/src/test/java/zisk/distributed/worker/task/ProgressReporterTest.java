package zisk.distributed.worker.task;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import zisk.distributed.api.v1.ExecuteTaskRequest;
import zisk.distributed.api.v1.ProverMessage;
import zisk.distributed.api.v1.TaskProgress;

class ProgressReporterTest {

  private final AtomicReference<ExecuteTaskRequest> running = new AtomicReference<>();
  private final List<ProverMessage> sent = new ArrayList<>();
  private final ProgressReporter reporter =
      new ProgressReporter(() -> Optional.ofNullable(running.get()), sent::add);

  @Test
  void reportsTheRunningTaskOfThatJobOnlyAndNotTooOften() {
    running.set(ExecuteTaskRequest.newBuilder().setJobId("job-a").setTaskId("t1").build());

    reporter.progress("job-b", 0.5, "another job: dropped");
    reporter.progress("job-a", Double.NaN, "not a number: dropped");
    reporter.progress("job-a", 1.5, "witness \u0000 8/8");
    reporter.progress("job-a", 0.9, "too soon after the last one: dropped");
    running.set(ExecuteTaskRequest.newBuilder().setJobId("job-a").setTaskId("t2").build());
    reporter.progress("job-a", 0.1, "the next task starts afresh");
    running.set(null);
    reporter.progress("job-a", 0.2, "no task runs: dropped");

    assertEquals(2, sent.size(), sent.toString());
    TaskProgress first = sent.get(0).getProgress();
    assertEquals("t1", first.getTaskId());
    assertEquals(1.0, first.getFraction(), "clamped to [0, 1]");
    assertEquals("witness \uFFFD 8/8".length(), first.getText().length());
    assertEquals("t2", sent.get(1).getProgress().getTaskId());
    assertEquals("the next task starts afresh", sent.get(1).getProgress().getText());
  }
}
