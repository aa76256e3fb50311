package zisk.distributed.worker.referenceprover;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import zisk.distributed.api.v1.AggParams;
import zisk.distributed.api.v1.Challenges;
import zisk.distributed.api.v1.ContributionParams;
import zisk.distributed.api.v1.Proof;
import zisk.distributed.api.v1.ProofList;
import zisk.distributed.api.v1.ProveParams;

/**
 * Reads one line of standard input as a request. Every field the contract names for the type must
 * be there with the right JSON type and range; fields it does not name are ignored, so a newer
 * worker's additions do not break this prover. Error messages name the field, never its content.
 */
final class RequestParser {

  /** Largest rank count and compute-unit figure taken: the range of the protocol's uint32. */
  private static final long MAX_UINT32 = 0xFFFF_FFFFL;

  private final ObjectMapper json;

  RequestParser(ObjectMapper json) {
    this.json = json;
  }

  Request parse(String line) throws MalformedRequest {
    JsonNode node;
    try {
      node = json.readTree(line);
    } catch (JsonProcessingException e) {
      throw new MalformedRequest(null, "the request is not valid JSON");
    }
    if (node == null || !node.isObject()) {
      throw new MalformedRequest(null, "the request is not a JSON object");
    }
    JsonNode idNode = node.get("id");
    String id = idNode != null && idNode.isTextual() ? idNode.textValue() : null;
    try {
      if (id == null && "shutdown".equals(node.path("type").asText())) {
        // Leniency where it is harmless: a shutdown that cannot be answered still stops us.
        return new Request.Shutdown(null);
      }
      if (id == null) {
        throw new RequestFailure(ErrorCode.BAD_REQUEST, "id must be a string");
      }
      return parse(id, text(node, "type"), node);
    } catch (RequestFailure e) {
      throw new MalformedRequest(id, e.getMessage());
    }
  }

  private Request parse(String id, String type, JsonNode node) throws RequestFailure {
    switch (type) {
      case "contribute":
        return contribute(id, node);
      case "prove":
        return new Request.Prove(id, jobId(node), prove(node));
      case "aggregate":
        return new Request.Aggregate(id, jobId(node), aggregate(node));
      case "cancel":
        return new Request.Cancel(id, jobId(node));
      case "shutdown":
        return new Request.Shutdown(id);
      default:
        throw new RequestFailure(
            ErrorCode.BAD_REQUEST,
            "unknown type (expected contribute, prove, aggregate, cancel or shutdown)");
    }
  }

  private static Request contribute(String id, JsonNode node) throws RequestFailure {
    long ranks = integer(node, "total_provers", "", 1, MAX_UINT32);
    long rank = integer(node, "rank_id", "", 0, MAX_UINT32);
    if (rank >= ranks) {
      throw new RequestFailure(ErrorCode.BAD_REQUEST, "rank_id must be below total_provers");
    }
    ContributionParams.Builder params =
        ContributionParams.newBuilder()
            .setBlockId(text(node, "block_id"))
            .setInputPath(nonEmpty(node, "input_path"))
            .setRankId((int) rank)
            .setTotalProvers((int) ranks)
            .setJobComputeUnits((int) integer(node, "job_compute_units", "", 0, MAX_UINT32));
    JsonNode allocation = array(node, "allocation");
    if (allocation.size() != ranks) {
      throw new RequestFailure(
          ErrorCode.BAD_REQUEST, "allocation must have one entry per rank (total_provers)");
    }
    for (int r = 0; r < allocation.size(); r++) {
      params.addProverAllocation(
          (int) integerValue(allocation.get(r), "allocation[" + r + "]", 0, MAX_UINT32));
    }
    return new Request.Contribute(id, nonEmpty(node, "job_id"), params.build());
  }

  private static ProveParams prove(JsonNode node) throws RequestFailure {
    ProveParams.Builder params = ProveParams.newBuilder();
    JsonNode all = array(node, "challenges");
    for (int i = 0; i < all.size(); i++) {
      JsonNode entry = entry(all, "challenges", i);
      String at = "challenges[" + i + "].";
      params.addChallenges(
          Challenges.newBuilder()
              .setProverIndex((int) integer(entry, "prover_index", at, 0, MAX_UINT32))
              .setAirgroupId((int) integer(entry, "airgroup_id", at, 0, MAX_UINT32))
              .addAllChallenge(Words.decode(text(entry, "values", at), at + "values")));
    }
    return params.build();
  }

  private static AggParams aggregate(JsonNode node) throws RequestFailure {
    ProofList.Builder proofs = ProofList.newBuilder();
    JsonNode all = array(node, "proofs");
    for (int i = 0; i < all.size(); i++) {
      JsonNode entry = entry(all, "proofs", i);
      String at = "proofs[" + i + "].";
      proofs.addProofs(
          Proof.newBuilder()
              .setProverIndex((int) integer(entry, "prover_index", at, 0, MAX_UINT32))
              .setAirgroupId(uint64(entry.get("airgroup_id"), at + "airgroup_id"))
              .addAllValues(Words.decode(text(entry, "values", at), at + "values")));
    }
    return AggParams.newBuilder().setAggProofs(proofs).setFinalProof(true).build();
  }

  private static String jobId(JsonNode node) throws RequestFailure {
    return nonEmpty(node, "job_id");
  }

  private static JsonNode entry(JsonNode array, String field, int i) throws RequestFailure {
    JsonNode entry = array.get(i);
    if (!entry.isObject()) {
      throw new RequestFailure(ErrorCode.BAD_REQUEST, field + "[" + i + "] must be an object");
    }
    return entry;
  }

  private static String text(JsonNode node, String field) throws RequestFailure {
    return text(node, field, "");
  }

  private static String text(JsonNode node, String field, String at) throws RequestFailure {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw new RequestFailure(ErrorCode.BAD_REQUEST, at + field + " must be a string");
    }
    return value.textValue();
  }

  private static String nonEmpty(JsonNode node, String field) throws RequestFailure {
    String value = text(node, field);
    if (value.isEmpty()) {
      throw new RequestFailure(ErrorCode.BAD_REQUEST, field + " must not be empty");
    }
    return value;
  }

  private static JsonNode array(JsonNode node, String field) throws RequestFailure {
    JsonNode value = node.get(field);
    if (value == null || !value.isArray()) {
      throw new RequestFailure(ErrorCode.BAD_REQUEST, field + " must be an array");
    }
    return value;
  }

  /** The integer field {@code field} of {@code node}, between {@code min} and {@code max}. */
  private static long integer(JsonNode node, String field, String at, long min, long max)
      throws RequestFailure {
    return integerValue(node.get(field), at + field, min, max);
  }

  /** A uint64 field (0 to 2^64 - 1), as the protocol's long holds it: two's complement. */
  private static long uint64(JsonNode value, String name) throws RequestFailure {
    if (value == null || !value.isIntegralNumber()) {
      throw new RequestFailure(ErrorCode.BAD_REQUEST, name + " must be an integer");
    }
    BigInteger n = value.bigIntegerValue();
    if (n.signum() < 0 || n.bitLength() > Long.SIZE) {
      throw new RequestFailure(ErrorCode.BAD_REQUEST, name + " must be between 0 and 2^64 - 1");
    }
    return n.longValue();
  }

  private static long integerValue(JsonNode value, String name, long min, long max)
      throws RequestFailure {
    if (value == null || !value.isIntegralNumber() || !value.canConvertToLong()) {
      throw new RequestFailure(ErrorCode.BAD_REQUEST, name + " must be an integer");
    }
    long n = value.longValue();
    if (n < min || n > max) {
      throw new RequestFailure(
          ErrorCode.BAD_REQUEST, name + " must be between " + min + " and " + max);
    }
    return n;
  }
}
