package zisk.distributed.worker.referenceprover;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import zisk.distributed.api.v1.Challenges;
import zisk.distributed.api.v1.ChallengesList;
import zisk.distributed.api.v1.FinalProof;
import zisk.distributed.api.v1.FinalProofList;
import zisk.distributed.api.v1.Proof;
import zisk.distributed.api.v1.ProofList;
import zisk.distributed.common.inputs.InputFile;
import zisk.distributed.reference.ReferenceInput;
import zisk.distributed.worker.prover.reference.ReferenceProverBackend;

/**
 * Runs the phases of a request on the built-in reference backend and keeps what the contract says a
 * prover keeps: the state of one job, from {@code contribute} (which replaces any job held before)
 * through {@code prove} and {@code aggregate}, until a {@code cancel} of that job or the next
 * {@code contribute}.
 */
final class ReferencePhases implements AutoCloseable {

  /** Reports how far a request got; written as {@code progress} messages. */
  interface Progress {
    void report(double fraction, String message);
  }

  private final ReferenceProverBackend backend;
  private String heldJob;
  private boolean proved;

  ReferencePhases(ReferenceProverBackend backend) {
    this.backend = backend;
  }

  /** Runs {@code request} and adds its answer's fields to {@code result}. */
  void run(Request.Phase request, ObjectNode result, Progress progress) throws Exception {
    if (request instanceof Request.Contribute contribute) {
      contribute(contribute, result, progress);
    } else if (request instanceof Request.Prove prove) {
      requireHeld(prove.jobId(), false);
      progress.report(0, "proving this rank's lanes");
      ProofList proofs = backend.prove(prove.jobId(), prove.params());
      markProved(prove.jobId());
      writeProofs(result.putArray("proofs"), proofs);
    } else if (request instanceof Request.Aggregate aggregate) {
      requireHeld(aggregate.jobId(), true);
      progress.report(0, "checking and aggregating the partial proofs");
      FinalProofList proofs = backend.aggregate(aggregate.jobId(), aggregate.params());
      ArrayNode out = result.putArray("final_proofs");
      for (FinalProof proof : proofs.getFinalProofsList()) {
        out.addObject().put("values", Words.encode(proof.getValuesList()));
      }
    }
  }

  /** Forgets {@code jobId}'s state, if this process holds it. */
  synchronized void forget(String jobId) {
    backend.release(jobId);
    if (jobId.equals(heldJob)) {
      heldJob = null;
      proved = false;
    }
  }

  @Override
  public synchronized void close() {
    backend.close();
    heldJob = null;
  }

  private void contribute(Request.Contribute request, ObjectNode result, Progress progress)
      throws Exception {
    replaceHeldJob();
    progress.report(0, "reading the input");
    InputFile input = read(request.params().getInputPath());
    progress.report(0.1, "executing the input and committing to this rank's lanes");
    ChallengesList challenges = backend.contribute(request.jobId(), request.params(), input);
    hold(request.jobId());
    ArrayNode out = result.putArray("challenges");
    for (Challenges challenge : challenges.getChallengesList()) {
      out.addObject()
          .put("prover_index", Integer.toUnsignedLong(challenge.getProverIndex()))
          .put("airgroup_id", Integer.toUnsignedLong(challenge.getAirgroupId()))
          .put("values", Words.encode(challenge.getChallengeList()));
    }
  }

  private static void writeProofs(ArrayNode out, ProofList proofs) {
    for (Proof proof : proofs.getProofsList()) {
      out.addObject()
          .put("prover_index", Integer.toUnsignedLong(proof.getProverIndex()))
          .put("airgroup_id", new BigInteger(Long.toUnsignedString(proof.getAirgroupId())))
          .put("values", Words.encode(proof.getValuesList()));
    }
  }

  /** A new job replaces whatever was held: a real prover has room for one job's witness. */
  private synchronized void replaceHeldJob() {
    if (heldJob != null) {
      backend.release(heldJob);
    }
    heldJob = null;
    proved = false;
  }

  private synchronized void hold(String jobId) {
    heldJob = jobId;
    proved = false;
  }

  private synchronized void markProved(String jobId) {
    if (jobId.equals(heldJob)) {
      proved = true;
    }
  }

  private synchronized void requireHeld(String jobId, boolean afterProve) throws RequestFailure {
    if (!jobId.equals(heldJob)) {
      throw new RequestFailure(
          ErrorCode.NO_JOB,
          "this process holds no state for the job (no contribute here, cancelled, or replaced"
              + " by a later contribute)");
    }
    if (afterProve && !proved) {
      throw new RequestFailure(
          ErrorCode.NO_JOB, "aggregate needs this process to have run prove for the job first");
    }
  }

  /**
   * Reads the input file the worker named (a real path it has already confined to its inputs
   * directories), up to the reference prover's input size limit.
   */
  private static InputFile read(String inputPath) throws RequestFailure, IOException {
    Path path;
    try {
      path = Path.of(inputPath);
    } catch (InvalidPathException e) {
      throw new RequestFailure(ErrorCode.BAD_REQUEST, "input_path is not a valid path");
    }
    if (!Files.isRegularFile(path)) {
      throw new RequestFailure(
          ErrorCode.INPUT_NOT_FOUND,
          Files.exists(path)
              ? "input_path is not a regular file"
              : "input_path names no file: " + path);
    }
    byte[] content;
    try (InputStream in = Files.newInputStream(path)) {
      content = in.readNBytes(ReferenceInput.MAX_FILE_BYTES + 1);
    } catch (NoSuchFileException e) {
      throw new RequestFailure(ErrorCode.INPUT_NOT_FOUND, "input_path names no file: " + path);
    } catch (IOException e) {
      throw new RequestFailure(ErrorCode.INPUT_NOT_FOUND, "cannot read input_path: " + e);
    }
    if (content.length > ReferenceInput.MAX_FILE_BYTES) {
      throw new RequestFailure(
          ErrorCode.PROVER_FAILED,
          "the input is larger than the reference prover's limit of "
              + ReferenceInput.MAX_FILE_BYTES
              + " bytes");
    }
    return new InputFile(path, content);
  }
}
