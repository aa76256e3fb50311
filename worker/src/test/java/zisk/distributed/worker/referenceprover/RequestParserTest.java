package zisk.distributed.worker.referenceprover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestParserTest {

  private static final String CONTRIBUTE =
      "{\"type\":\"contribute\",\"id\":\"c1\",\"job_id\":\"j\",\"block_id\":\"b\","
          + "\"input_path\":\"/in/x.txt\",\"rank_id\":1,\"total_provers\":2,"
          + "\"allocation\":[3,4],\"job_compute_units\":7";

  private final RequestParser parser = new RequestParser(new ObjectMapper());

  @Test
  void readsAContributeIntoTheBackendsParameters() throws Exception {
    Request.Contribute request =
        (Request.Contribute) parser.parse(CONTRIBUTE + ",\"added_later\":{\"x\":1}}");

    assertEquals("c1", request.id());
    assertEquals("j", request.jobId());
    assertEquals("/in/x.txt", request.params().getInputPath());
    assertEquals(1, request.params().getRankId());
    assertEquals(2, request.params().getTotalProvers());
    assertEquals(List.of(3, 4), request.params().getProverAllocationList());
    assertEquals(7, request.params().getJobComputeUnits());
  }

  @Test
  void decodesWordsAsLittleEndianBase64() throws Exception {
    Request.Prove prove =
        (Request.Prove)
            parser.parse(
                "{\"type\":\"prove\",\"id\":\"p\",\"job_id\":\"j\",\"challenges\":[{"
                    + "\"prover_index\":1,\"airgroup_id\":4,"
                    + "\"values\":\"AQAAAAAAAAACAAAAAAAAAA==\"}]}");

    assertEquals(List.of(1L, 2L), prove.params().getChallenges(0).getChallengeList());
    assertEquals(4, prove.params().getChallenges(0).getAirgroupId());
    assertEquals("AQAAAAAAAAACAAAAAAAAAA==", Words.encode(List.of(1L, 2L)));
    assertEquals(List.of(-1L), Words.decode(Words.encode(List.of(-1L)), "values"));
  }

  @Test
  void takesAProofsAirgroupIdOverTheWholeUint64Range() throws Exception {
    Request.Aggregate aggregate =
        (Request.Aggregate)
            parser.parse(
                "{\"type\":\"aggregate\",\"id\":\"a\",\"job_id\":\"j\",\"proofs\":[{"
                    + "\"prover_index\":0,\"airgroup_id\":18446744073709551615,\"values\":\"\"}]}");

    assertEquals(-1L, aggregate.params().getAggProofs().getProofs(0).getAirgroupId());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"type\":\"launch\",\"id\":\"r\"}",
        "{\"id\":\"r\"}",
        "{\"type\":\"cancel\",\"id\":\"r\"}",
        "{\"type\":\"cancel\",\"id\":\"r\",\"job_id\":\"\"}",
        "{\"type\":\"cancel\",\"id\":\"r\",\"job_id\":5}",
        CONTRIBUTE + ",\"rank_id\":2}",
        CONTRIBUTE + ",\"rank_id\":-1}",
        CONTRIBUTE + ",\"total_provers\":0}",
        CONTRIBUTE + ",\"total_provers\":2.5}",
        CONTRIBUTE + ",\"total_provers\":\"2\"}",
        CONTRIBUTE + ",\"allocation\":[3]}",
        CONTRIBUTE + ",\"allocation\":[3,4294967296]}",
        CONTRIBUTE + ",\"job_compute_units\":99999999999999999999999}",
        "{\"type\":\"prove\",\"id\":\"r\",\"job_id\":\"j\"}",
        "{\"type\":\"prove\",\"id\":\"r\",\"job_id\":\"j\",\"challenges\":[7]}",
        "{\"type\":\"prove\",\"id\":\"r\",\"job_id\":\"j\",\"challenges\":[{\"prover_index\":0,"
            + "\"airgroup_id\":0,\"values\":\"AAAA\"}]}",
        "{\"type\":\"aggregate\",\"id\":\"r\",\"job_id\":\"j\",\"proofs\":[{\"prover_index\":0,"
            + "\"airgroup_id\":0,\"values\":\"not base64!\"}]}",
        "{\"type\":\"aggregate\",\"id\":\"r\",\"job_id\":\"j\",\"proofs\":[{\"prover_index\":0,"
            + "\"airgroup_id\":18446744073709551616,\"values\":\"\"}]}",
      })
  void answersEveryMalformedRequestUnderItsId(String line) {
    MalformedRequest error = assertThrows(MalformedRequest.class, () -> parser.parse(line));

    assertTrue("r".equals(error.id()) || "c1".equals(error.id()), error.getMessage());
    assertTrue(!error.getMessage().contains("not base64!"), "never echoes the content");
  }

  @ParameterizedTest
  @ValueSource(strings = {"not json", "[1,2]", "\"text\"", "{\"type\":\"cancel\",\"id\":7}"})
  void hasNoIdToAnswerWhenTheLineHoldsNone(String line) {
    MalformedRequest error = assertThrows(MalformedRequest.class, () -> parser.parse(line));

    assertNull(error.id());
  }

  @Test
  void takesAShutdownEvenWithoutAnId() throws Exception {
    assertEquals(new Request.Shutdown(null), parser.parse("{\"type\":\"shutdown\"}"));
    assertEquals(new Request.Shutdown("s"), parser.parse("{\"type\":\"shutdown\",\"id\":\"s\"}"));
  }
}
