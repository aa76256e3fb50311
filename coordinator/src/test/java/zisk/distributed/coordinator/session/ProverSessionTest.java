package zisk.distributed.coordinator.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import zisk.distributed.api.v1.ExecuteTaskRequest;
import zisk.distributed.api.v1.TaskType;
import zisk.distributed.coordinator.testing.RecordingStream;

/** A task given up on while the prover still runs it, and whose JobCancelled never reached it. */
class ProverSessionTest {

  private final RecordingStream stream = new RecordingStream();
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
    session.answered("job-a", "t1", TaskType.PROVE);

    session.sendTask(task("job-a", "t2"));

    assertEquals(List.of("task t1", "task t2"), stream.sent);
  }

  @Test
  void aSeedEraAnswerWithoutTaskIdAnswersTheTaskOfItsJobAndPhase() {
    session.sendTask(task("job-a", "t1"));
    String answered = session.answered("job-a", "", TaskType.PROVE);

    session.sendTask(task("job-a", "t2"));

    assertEquals("t1", answered);
    assertEquals(List.of("task t1", "task t2"), stream.sent);
  }

  @Test
  void aSeedEraErrorThatNamesNoPhaseAnswersTheTaskOfItsJob() {
    session.sendTask(task("job-a", "t1"));

    assertEquals("t1", session.answered("job-a", "", TaskType.TASK_TYPE_UNSPECIFIED));
  }

  @Test
  void aSeedEraAnswerAboutAnotherPhaseOrJobAnswersNoTask() {
    session.sendTask(task("job-a", "t1"));

    assertEquals("", session.answered("job-a", "", TaskType.AGGREGATE));
    assertEquals("", session.answered("job-b", "", TaskType.PROVE));
    session.sendTask(task("job-a", "t2"));

    assertEquals(List.of("task t1", "cancel job-a/t1", "task t2"), stream.sent);
  }

  @Test
  void anAnswerThatNamesATaskAnswersThatTaskEvenIfItIsNotTheUnansweredOne() {
    session.sendTask(task("job-a", "t1"));

    assertEquals("forged", session.answered("job-a", "forged", TaskType.PROVE));
    session.sendTask(task("job-a", "t2"));

    assertEquals(List.of("task t1", "cancel job-a/t1", "task t2"), stream.sent);
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

  @Test
  void aRedeliveryReadBeforeTheProverAnsweredIsNotSent() {
    // given: the stream opened, a redelivery read the task as DISPATCHED, then the prover got it
    // through the transition that wrote it and answered it
    long mark = session.tasksSent();
    session.sendTask(task("job-a", "t1"));
    session.answered("job-a", "", TaskType.PROVE);

    // when: the stale read is delivered, and then the next phase's task
    boolean sent = session.redeliver(task("job-a", "t1"), mark);
    session.sendTask(task("job-a", "t2"));

    // then: neither a second copy nor a JobCancelled for the answered task
    assertFalse(sent);
    assertEquals(List.of("task t1", "task t2"), stream.sent);
  }

  @Test
  void aRedeliveryReadBeforeANewerTaskWasSentDoesNotDisplaceIt() {
    long mark = session.tasksSent();
    session.sendTask(task("job-a", "t2"));

    boolean sent = session.redeliver(task("job-a", "t1"), mark);

    assertFalse(sent);
    assertEquals(List.of("task t2"), stream.sent);
  }

  @Test
  void aTaskAnsweredFromTheStreamBeforeIsNotRedelivered() {
    // a reconnected prover reports the result of a task sent on its old stream
    long mark = session.tasksSent();
    session.answered("job-a", "t1", TaskType.PROVE);

    assertFalse(session.redeliver(task("job-a", "t1"), mark));
    assertEquals(List.of(), stream.sent);
  }

  @Test
  void aTaskNeitherSentNorAnsweredSinceTheReadIsRedelivered() {
    long mark = session.tasksSent();

    assertTrue(session.redeliver(task("job-a", "t1"), mark));
    assertEquals(List.of("task t1"), stream.sent);
  }

  private static SentTask task(String jobId, String taskId) {
    return new SentTask(
        ExecuteTaskRequest.newBuilder()
            .setProverId("w1")
            .setJobId(jobId)
            .setTaskId(taskId)
            .setTaskType(TaskType.PROVE)
            .build(),
        0);
  }
}
