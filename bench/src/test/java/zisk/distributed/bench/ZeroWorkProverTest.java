package zisk.distributed.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import zisk.distributed.api.v1.AggParams;
import zisk.distributed.api.v1.ContributionParams;
import zisk.distributed.api.v1.ExecuteTaskRequest;
import zisk.distributed.api.v1.ExecuteTaskResponse;
import zisk.distributed.api.v1.ProveParams;
import zisk.distributed.api.v1.TaskType;

class ZeroWorkProverTest {

  private static ExecuteTaskRequest.Builder task(TaskType type) {
    return ExecuteTaskRequest.newBuilder()
        .setJobId("job-1")
        .setTaskId("task-1")
        .setProverId("p-1")
        .setTaskType(type);
  }

  @Test
  void contributionAnswersChallengesForItsRank() {
    ExecuteTaskResponse answer =
        ZeroWorkProver.answer(
            task(TaskType.PARTIAL_CONTRIBUTION)
                .setContributionParams(
                    ContributionParams.newBuilder().setRankId(1).setTotalProvers(2))
                .build(),
            "p-1",
            1);

    assertEcho(answer, TaskType.PARTIAL_CONTRIBUTION);
    assertEquals(ExecuteTaskResponse.ResultDataCase.CHALLENGES, answer.getResultDataCase());
    assertEquals(1, answer.getChallenges().getChallengesCount());
    assertEquals(1, answer.getChallenges().getChallenges(0).getProverIndex());
    assertFalse(answer.getChallenges().getChallenges(0).getChallengeList().isEmpty());
  }

  @Test
  void proveAnswersAProofForItsRank() {
    ExecuteTaskResponse answer =
        ZeroWorkProver.answer(
            task(TaskType.PROVE).setProveParams(ProveParams.getDefaultInstance()).build(),
            "p-1",
            1);

    assertEcho(answer, TaskType.PROVE);
    assertEquals(ExecuteTaskResponse.ResultDataCase.PROOFS, answer.getResultDataCase());
    assertEquals(1, answer.getProofs().getProofs(0).getProverIndex());
    assertFalse(answer.getProofs().getProofs(0).getValuesList().isEmpty());
  }

  @Test
  void aggregateAnswersTheFinalProof() {
    ExecuteTaskResponse answer =
        ZeroWorkProver.answer(
            task(TaskType.AGGREGATE)
                .setAggParams(AggParams.newBuilder().setFinalProof(true))
                .build(),
            "p-1",
            0);

    assertEcho(answer, TaskType.AGGREGATE);
    assertEquals(ExecuteTaskResponse.ResultDataCase.FINAL_PROOF, answer.getResultDataCase());
    assertFalse(answer.getFinalProof().getFinalProofs(0).getValuesList().isEmpty());
  }

  @Test
  void anUnspecifiedTaskHasNoAnswer() {
    assertThrows(
        IllegalArgumentException.class,
        () -> ZeroWorkProver.answer(task(TaskType.TASK_TYPE_UNSPECIFIED).build(), "p-1", 0));
  }

  private static void assertEcho(ExecuteTaskResponse answer, TaskType type) {
    assertEquals("job-1", answer.getJobId());
    assertEquals("task-1", answer.getTaskId());
    assertEquals("p-1", answer.getProverId());
    assertEquals(type, answer.getTaskType());
    assertTrue(answer.getSuccess());
    assertTrue(answer.getErrorMessage().isEmpty());
  }
}
