package zisk.distributed.cli.referenceprover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zisk.distributed.api.v1.AggParams;
import zisk.distributed.api.v1.ContributionParams;
import zisk.distributed.api.v1.FinalProof;
import zisk.distributed.api.v1.FinalProofList;
import zisk.distributed.api.v1.ProofList;
import zisk.distributed.api.v1.ProveParams;
import zisk.distributed.common.inputs.InputFile;
import zisk.distributed.reference.ReferenceInput;
import zisk.distributed.reference.ReferenceVerifier;
import zisk.distributed.reference.VerificationResult;
import zisk.distributed.worker.prover.reference.ReferenceProverBackend;

/**
 * {@code zisk reference-prover} against the native prover contract (docs/native-prover.md), as a
 * child process driven through standard input and output, the way a worker drives it.
 */
class ReferenceProverContractTest {

  private static final int[] ALLOCATION = {1, 2};
  private static final String JOB = "job-7";

  @TempDir Path dir;
  private final List<ReferenceProverProcess> started = new ArrayList<>();
  private final AtomicInteger ids = new AtomicInteger();

  @AfterEach
  void stopProvers() {
    started.forEach(ReferenceProverProcess::close);
  }

  @Test
  void twoRanksProveAJobWhoseProofVerifiesAndEqualsTheBuiltInBackends() throws Exception {
    // given: one prover process per rank, as two workers would run them
    ReferenceInput input = ReferenceInput.withRandomSeed(5, 300);
    Path file = dir.resolve("input.txt");
    input.write(file);
    FinalProofList builtIn = proveWithTheBuiltInBackend(file);
    ReferenceProverProcess rank0 =
        start(Map.of("ZISK_PROVER_ID", "gpu-host-0", "CUDA_VISIBLE_DEVICES", "2,3"));
    ReferenceProverProcess rank1 = start(Map.of());
    List<ReferenceProverProcess> ranks = List.of(rank0, rank1);
    for (ReferenceProverProcess rank : ranks) {
      JsonNode ready = rank.awaitReady();
      assertEquals(1, ready.get("protocol").asInt());
      assertTrue(ready.get("soft_cancel").asBoolean());
      assertEquals("zisk-reference-prover", ready.get("name").asText());
      assertTrue(ready.get("version").isTextual(), ready.toString());
    }

    // when: contribute on each rank, prove on each with every contribution, aggregate on one
    ArrayNode challenges = rank0.json.createArrayNode();
    List<String> requests = new ArrayList<>();
    for (int r = 0; r < ranks.size(); r++) {
      String id = send(ranks.get(r), contribute(ranks.get(r), r, file));
      requests.add(id);
      challenges.addAll((ArrayNode) ranks.get(r).awaitResult(id).get("challenges"));
    }
    ArrayNode proofs = rank0.json.createArrayNode();
    for (ReferenceProverProcess rank : ranks) {
      ObjectNode prove = rank.request("prove", nextId()).put("job_id", JOB);
      prove.set("challenges", challenges);
      String id = send(rank, prove);
      requests.add(id);
      proofs.addAll((ArrayNode) rank.awaitResult(id).get("proofs"));
    }
    ObjectNode aggregate = rank1.request("aggregate", nextId()).put("job_id", JOB);
    aggregate.set("proofs", proofs);
    String aggregateId = send(rank1, aggregate);
    JsonNode answer = rank1.awaitResult(aggregateId);

    // then
    FinalProofList proof = finalProofs(answer);
    VerificationResult verdict = ReferenceVerifier.verify(input, proof);
    assertTrue(verdict.valid(), verdict.summary());
    assertEquals(builtIn, proof, "the same proof as the built-in backend's");
    assertEquals(5, challenges.size(), "one contribution per lane");
    for (JsonNode challenge : challenges) {
      assertTrue(challenge.get("prover_index").isIntegralNumber(), challenge.toString());
      assertTrue(challenge.get("airgroup_id").isIntegralNumber(), challenge.toString());
    }
    for (ReferenceProverProcess rank : ranks) {
      assertProgressWellFormed(rank);
      rank.assertOnlyProtocolOnStdout();
    }
    assertFalse(rank0.progressOf(requests.get(0)).isEmpty(), "contribute reports progress");
    assertTrue(
        rank0.stderr().contains("ZISK_PROVER_ID=gpu-host-0, CUDA_VISIBLE_DEVICES=2,3"),
        "the prover's stderr names its prover id and GPUs: " + rank0.stderr());
  }

  @Test
  void cancelStopsTheRunningRequestThenAnswersAndForgetsTheJob() throws Exception {
    // given: every phase starts with a minute's (interruptible) delay
    ReferenceProverProcess prover = start(Map.of("ZISK_REFERENCE_PHASE_DELAY_MS", "60000"));
    prover.awaitReady();
    Path file = writeInput();
    String contribute = send(prover, contribute(prover, 0, file));
    prover.awaitProgress(contribute);
    String busy = send(prover, contribute(prover, 0, file));
    assertError("BUSY", prover.awaitFinal(busy));

    // when
    String cancel = send(prover, prover.request("cancel", nextId()).put("job_id", JOB));

    // then: the request ends CANCELLED (well before its minute), then the cancel is answered
    prover.awaitResult(cancel);
    assertError("CANCELLED", prover.finalOf(contribute).orElseThrow());
    List<JsonNode> order = prover.afterReady();
    assertTrue(
        order.indexOf(prover.finalOf(contribute).orElseThrow())
            < order.indexOf(prover.finalOf(cancel).orElseThrow()),
        "CANCELLED comes before the cancel's result: " + order);
    String prove = send(prover, withEmpty(prover.request("prove", nextId()), "challenges"));
    assertError("NO_JOB", prover.awaitFinal(prove));
    String idle = send(prover, prover.request("cancel", nextId()).put("job_id", "no-such-job"));
    prover.awaitResult(idle);
    assertProgressWellFormed(prover);
    prover.assertOnlyProtocolOnStdout();
  }

  @Test
  void shutdownStopsTheRunningRequestAndExitsWithZero() throws Exception {
    // given
    ReferenceProverProcess prover = start(Map.of("ZISK_REFERENCE_PHASE_DELAY_MS", "60000"));
    prover.awaitReady();
    String contribute = send(prover, contribute(prover, 0, writeInput()));
    prover.awaitProgress(contribute);

    // when
    String shutdown = send(prover, prover.request("shutdown", nextId()));

    // then
    assertEquals(0, prover.awaitExit());
    assertError("CANCELLED", prover.finalOf(contribute).orElseThrow());
    assertEquals("result", prover.finalOf(shutdown).orElseThrow().get("type").asText());
    prover.assertOnlyProtocolOnStdout();
  }

  @Test
  void theEndOfStandardInputEndsTheProcessWithZero() throws Exception {
    ReferenceProverProcess prover = start(Map.of());
    prover.awaitReady();

    prover.closeStdin();

    assertEquals(0, prover.awaitExit());
    prover.assertOnlyProtocolOnStdout();
  }

  @Test
  void malformedRequestsAreAnsweredBadRequestAndTheProverGoesOn() throws Exception {
    // given
    ReferenceProverProcess prover = start(Map.of());
    prover.awaitReady();
    Path file = writeInput();
    ObjectNode rankTooHigh = contribute(prover, 0, file).put("rank_id", 2);
    ObjectNode shortAllocation = contribute(prover, 0, file);
    shortAllocation.putArray("allocation").add(1);
    ObjectNode badWords = prover.request("prove", nextId()).put("job_id", JOB);
    badWords
        .putArray("challenges")
        .addObject()
        .put("prover_index", 0)
        .put("airgroup_id", 0)
        .put("values", "AAAA"); // 3 bytes: not whole 8-byte words
    ObjectNode fraction = contribute(prover, 0, file).put("total_provers", 1.5);
    List<ObjectNode> withIds =
        List.of(
            prover.request("launch", nextId()),
            prover.request("contribute", nextId()),
            prover.request("cancel", nextId()),
            rankTooHigh,
            shortAllocation,
            badWords,
            fraction);

    // when
    prover.sendLine("this is not json");
    prover.sendLine("[1,2,3]");
    prover.sendLine("{\"type\":\"cancel\",\"id\":7,\"job_id\":\"j\"}");
    withIds.forEach(prover::send);

    // then: each is answered BAD_REQUEST under its id, and the prover still works
    for (ObjectNode request : withIds) {
      assertError("BAD_REQUEST", prover.awaitFinal(request.get("id").asText()));
    }
    List<JsonNode> anonymous =
        prover.snapshot().stream().filter(m -> m.path("id").isNull()).toList();
    assertEquals(3, anonymous.size(), anonymous.toString());
    anonymous.forEach(error -> assertError("BAD_REQUEST", error));
    String contribute = send(prover, contribute(prover, 0, file));
    assertFalse(prover.awaitResult(contribute).get("challenges").isEmpty());
    prover.assertOnlyProtocolOnStdout();
  }

  @Test
  void aMissingInputIsInputNotFoundABadOneFailsAndAProveWithoutContributeIsNoJob()
      throws Exception {
    ReferenceProverProcess prover = start(Map.of());
    prover.awaitReady();
    Path garbage = Files.writeString(dir.resolve("garbage.txt"), "lanes = many\n");

    String missing = send(prover, contribute(prover, 0, dir.resolve("absent.txt")));
    assertError("INPUT_NOT_FOUND", prover.awaitFinal(missing));
    String failed = send(prover, contribute(prover, 0, garbage));
    assertError("PROVER_FAILED", prover.awaitFinal(failed));
    String prove = send(prover, withEmpty(prover.request("prove", nextId()), "challenges"));
    assertError("NO_JOB", prover.awaitFinal(prove));
    String aggregate = send(prover, withEmpty(prover.request("aggregate", nextId()), "proofs"));
    assertError("NO_JOB", prover.awaitFinal(aggregate));
    prover.assertOnlyProtocolOnStdout();
  }

  /** The job proved in this JVM by the worker's built-in backend, one backend per rank. */
  private FinalProofList proveWithTheBuiltInBackend(Path file) throws Exception {
    List<ReferenceProverBackend> ranks =
        List.of(
            new ReferenceProverBackend(Duration.ZERO), new ReferenceProverBackend(Duration.ZERO));
    InputFile input = new InputFile(file, Files.readAllBytes(file));
    ProveParams.Builder contributions = ProveParams.newBuilder();
    for (int r = 0; r < ranks.size(); r++) {
      ContributionParams params =
          ContributionParams.newBuilder()
              .setBlockId("block-1")
              .setInputPath(file.toString())
              .setRankId(r)
              .setTotalProvers(ALLOCATION.length)
              .addAllProverAllocation(IntStream.of(ALLOCATION).boxed().toList())
              .setJobComputeUnits(IntStream.of(ALLOCATION).sum())
              .build();
      contributions.addAllChallenges(
          ranks.get(r).contribute(JOB, params, input).getChallengesList());
    }
    ProofList.Builder partials = ProofList.newBuilder();
    for (ReferenceProverBackend rank : ranks) {
      partials.addAllProofs(rank.prove(JOB, contributions.build()).getProofsList());
    }
    AggParams aggregate = AggParams.newBuilder().setAggProofs(partials).setFinalProof(true).build();
    return ranks.get(1).aggregate(JOB, aggregate);
  }

  private ReferenceProverProcess start(Map<String, String> env) throws Exception {
    ReferenceProverProcess prover = ReferenceProverProcess.start(env);
    started.add(prover);
    return prover;
  }

  private Path writeInput() throws Exception {
    Path file = dir.resolve("input-" + ids.incrementAndGet() + ".txt");
    ReferenceInput.withRandomSeed(2, 64).write(file);
    return file;
  }

  private ObjectNode contribute(ReferenceProverProcess prover, int rank, Path input) {
    ObjectNode request =
        prover
            .request("contribute", nextId())
            .put("job_id", JOB)
            .put("block_id", "block-1")
            .put("input_path", input.toString())
            .put("rank_id", rank)
            .put("total_provers", ALLOCATION.length)
            .put("job_compute_units", 3);
    ArrayNode allocation = request.putArray("allocation");
    for (int units : ALLOCATION) {
      allocation.add(units);
    }
    return request;
  }

  /** A prove or aggregate request of the job with an empty list of contributions or proofs. */
  private static ObjectNode withEmpty(ObjectNode request, String list) {
    request.put("job_id", JOB).putArray(list);
    return request;
  }

  private String send(ReferenceProverProcess prover, ObjectNode request) {
    prover.send(request);
    return request.get("id").asText();
  }

  private String nextId() {
    return "req-" + ids.incrementAndGet();
  }

  private static void assertError(String code, JsonNode message) {
    assertEquals("error", message.path("type").asText(), message.toString());
    assertEquals(code, message.path("code").asText(), message.toString());
    assertFalse(message.path("fatal").asBoolean(true), message.toString());
    assertTrue(message.path("message").isTextual(), message.toString());
  }

  /** Every progress message: a known id, a fraction in [0, 1] that never goes back, a message. */
  private static void assertProgressWellFormed(ReferenceProverProcess prover) {
    Map<String, Double> last = new java.util.HashMap<>();
    for (JsonNode message : prover.afterReady()) {
      String id = message.path("id").asText(null);
      if ("progress".equals(message.path("type").asText())) {
        assertTrue(id != null && !prover.finalOf(id).isEmpty(), message.toString());
        double fraction = message.path("fraction").asDouble(-1);
        assertTrue(message.get("fraction").isNumber(), message.toString());
        assertTrue(fraction >= 0 && fraction <= 1, message.toString());
        assertTrue(fraction >= last.getOrDefault(id, 0.0), message.toString());
        assertTrue(message.get("message").isTextual(), message.toString());
        last.put(id, fraction);
      } else if (id != null) {
        last.put(id, 2.0); // after the final message no progress may follow
      }
    }
  }

  private static FinalProofList finalProofs(JsonNode answer) {
    FinalProofList.Builder proofs = FinalProofList.newBuilder();
    for (JsonNode proof : answer.get("final_proofs")) {
      ByteBuffer bytes =
          ByteBuffer.wrap(Base64.getDecoder().decode(proof.get("values").asText()))
              .order(ByteOrder.LITTLE_ENDIAN);
      FinalProof.Builder words = FinalProof.newBuilder();
      while (bytes.hasRemaining()) {
        words.addValues(bytes.getLong());
      }
      proofs.addFinalProofs(words);
    }
    return proofs.build();
  }
}
