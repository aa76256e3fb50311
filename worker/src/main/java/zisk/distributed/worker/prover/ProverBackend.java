package zisk.distributed.worker.prover;

import zisk.distributed.api.v1.AggParams;
import zisk.distributed.api.v1.ChallengesList;
import zisk.distributed.api.v1.ContributionParams;
import zisk.distributed.api.v1.FinalProofList;
import zisk.distributed.api.v1.ProofList;
import zisk.distributed.api.v1.ProveParams;
import zisk.distributed.common.inputs.InputFile;

/**
 * Runs the three phases of a job on this prover.
 *
 * <p>A backend keeps the phase state of a job (the witness a PROVE task needs from its
 * PARTIAL_CONTRIBUTION) in memory, keyed by job id, until {@link #release(String)}.
 *
 * <p>Every phase method is interruptible: when the worker interrupts the calling thread (the job
 * was cancelled, or the worker is shutting down) the method stops promptly and throws {@link
 * InterruptedException}. Any other exception is a task failure, reported to the coordinator with
 * its message.
 */
public interface ProverBackend extends AutoCloseable {

  /**
   * PARTIAL_CONTRIBUTION: execute the input and commit to this rank's share of the witness.
   *
   * @param input the file {@code params.input_path} names, already found inside the worker's inputs
   *     directories and read there; a backend never opens {@code input_path} itself
   */
  ChallengesList contribute(String jobId, ContributionParams params, InputFile input)
      throws Exception;

  /** PROVE: derive the global challenge from every rank's contribution and prove this share. */
  ProofList prove(String jobId, ProveParams params) throws Exception;

  /** AGGREGATE: check and combine every partial proof into the job's final proof. */
  FinalProofList aggregate(String jobId, AggParams params) throws Exception;

  /** Drops whatever this backend keeps for the job (on completion, cancellation or failure). */
  void release(String jobId);

  /**
   * True when the backend can run a task now. The worker registers with a coordinator only while it
   * is, and ends its stream when it stops being (a native prover being replaced). The built-in
   * backends always are.
   */
  default boolean isReady() {
    return true;
  }

  /** Where the backend reports its running phase's progress; the built-in default reports none. */
  default void onProgress(ProgressListener listener) {}

  /** Calls {@code listener}, on any thread, whenever {@link #isReady()} may have changed. */
  default void onReadyChange(Runnable listener) {}

  @Override
  default void close() {}
}
