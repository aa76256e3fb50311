package zisk.distributed.worker.prover.nativeprover;

import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.function.IntToLongFunction;
import zisk.distributed.api.v1.AggParams;
import zisk.distributed.api.v1.Challenges;
import zisk.distributed.api.v1.ContributionParams;
import zisk.distributed.api.v1.Proof;
import zisk.distributed.api.v1.ProveParams;

/**
 * Writes the worker's requests on the prover's stdin, one JSON object per line (contract,
 * "Requests"). Words are base64-encoded from the protobuf request a buffer at a time, never copied
 * into a byte array or a string first.
 */
final class RequestWriter {

  private final JsonFactory json =
      JsonFactory.builder().build().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
  private final OutputStream stdin;

  /**
   * @param stdin the prover's stdin, buffered by the caller
   */
  RequestWriter(OutputStream stdin) {
    this.stdin = stdin;
  }

  void contribute(String id, String jobId, ContributionParams params, Path input)
      throws IOException {
    try (JsonGenerator out = start("contribute", id)) {
      out.writeStringField("job_id", jobId);
      out.writeStringField("block_id", params.getBlockId());
      out.writeStringField("input_path", input.toString());
      out.writeNumberField("rank_id", Integer.toUnsignedLong(params.getRankId()));
      out.writeNumberField("total_provers", Integer.toUnsignedLong(params.getTotalProvers()));
      out.writeArrayFieldStart("allocation");
      for (int units : params.getProverAllocationList()) {
        out.writeNumber(Integer.toUnsignedLong(units));
      }
      out.writeEndArray();
      out.writeNumberField(
          "job_compute_units", Integer.toUnsignedLong(params.getJobComputeUnits()));
      end(out);
    }
  }

  void prove(String id, String jobId, ProveParams params) throws IOException {
    try (JsonGenerator out = start("prove", id)) {
      out.writeStringField("job_id", jobId);
      out.writeArrayFieldStart("challenges");
      for (Challenges challenges : params.getChallengesList()) {
        out.writeStartObject();
        out.writeNumberField("prover_index", Integer.toUnsignedLong(challenges.getProverIndex()));
        out.writeNumberField("airgroup_id", Integer.toUnsignedLong(challenges.getAirgroupId()));
        values(out, challenges.getChallengeCount(), challenges::getChallenge);
        out.writeEndObject();
      }
      out.writeEndArray();
      end(out);
    }
  }

  void aggregate(String id, String jobId, AggParams params) throws IOException {
    try (JsonGenerator out = start("aggregate", id)) {
      out.writeStringField("job_id", jobId);
      out.writeArrayFieldStart("proofs");
      for (Proof proof : params.getAggProofs().getProofsList()) {
        out.writeStartObject();
        out.writeNumberField("prover_index", Integer.toUnsignedLong(proof.getProverIndex()));
        out.writeFieldName("airgroup_id");
        out.writeNumber(Long.toUnsignedString(proof.getAirgroupId()));
        values(out, proof.getValuesCount(), proof::getValues);
        out.writeEndObject();
      }
      out.writeEndArray();
      end(out);
    }
  }

  void cancel(String id, String jobId) throws IOException {
    try (JsonGenerator out = start("cancel", id)) {
      out.writeStringField("job_id", jobId);
      end(out);
    }
  }

  void shutdown(String id) throws IOException {
    try (JsonGenerator out = start("shutdown", id)) {
      end(out);
    }
  }

  private JsonGenerator start(String type, String id) throws IOException {
    JsonGenerator out = json.createGenerator(stdin);
    out.writeStartObject();
    out.writeStringField("type", type);
    out.writeStringField("id", id);
    return out;
  }

  private void end(JsonGenerator out) throws IOException {
    out.writeEndObject();
    out.writeRaw('\n');
    out.flush();
  }

  private static void values(JsonGenerator out, int count, IntToLongFunction word)
      throws IOException {
    out.writeFieldName("values");
    long bytes = (long) count * Words.BYTES;
    if (bytes > Integer.MAX_VALUE) {
      throw new IOException("a value of " + count + " words is too large to send");
    }
    out.writeBinary(Base64Variants.MIME_NO_LINEFEEDS, Words.bytesOf(count, word), (int) bytes);
  }
}
