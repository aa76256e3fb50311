package zisk.distributed.client;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import zisk.distributed.api.v1.JobEvent;
import zisk.distributed.api.v1.JobStatus;
import zisk.distributed.api.v1.TaskProgress;
import zisk.distributed.api.v1.TaskType;

/** The terminal view takes a whole job's messages and ends with its outcome. */
class ProgressBarsTest {

  private static JobEvent event(long id, String kind, String phase) {
    return JobEvent.newBuilder()
        .setEventId(id)
        .setKind(kind)
        .setState("RUNNING")
        .setPhase(phase)
        .setProverId("p1")
        .build();
  }

  @Test
  void barsFollowPhasesAndRanksThenPrintTheOutcome() {
    StringWriter text = new StringWriter();
    JobStatus running =
        JobStatus.newBuilder().setJobId("j1").setState("RUNNING").setPhase("PROVE").build();
    try (ProgressBars bars = new ProgressBars(new PrintWriter(text, true))) {
      bars.status(
          JobStatus.newBuilder()
              .setJobId("j1")
              .setState("QUEUED")
              .setWaitingReason("needs 4 units")
              .build());
      bars.status(running);
      bars.event(event(1, "TASK_DISPATCHED", "PROVE"));
      bars.event(event(2, "TASK_DISPATCHED", "PROVE"));
      bars.progress(
          TaskProgress.newBuilder()
              .setTaskType(TaskType.PROVE)
              .setRank(1)
              .setProverId("p1")
              .setFraction(0.4)
              .setText("witness\u001b[2J 2/5")
              .build());
      bars.event(event(3, "TASK_FAILED", "PROVE"));
      bars.event(event(4, "TASK_SUCCEEDED", "PROVE"));
      bars.event(event(5, "REQUEUED", "PROVE"));
      bars.reconnecting("http://a:1", "http://b:2", "UNAVAILABLE");
      bars.finished(running.toBuilder().setState("COMPLETED").build());
    }
    String shown = text.toString();
    assertTrue(shown.contains("Queued: needs 4 units"), shown);
    assertTrue(shown.contains("RUNNING PROVE"), shown);
    assertTrue(shown.contains("COMPLETED job j1"), shown);
  }
}
