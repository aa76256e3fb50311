package zisk.distributed.worker.referenceprover;

/** The error codes of the contract, written as their names. */
enum ErrorCode {
  /** A request that is not valid JSON, misses a field or has one of the wrong type or range. */
  BAD_REQUEST,
  /** {@code prove} or {@code aggregate} for a job this process holds no state for. */
  NO_JOB,
  /** The input file cannot be found or read. */
  INPUT_NOT_FOUND,
  /** The proof itself failed (a malformed input, contributions that do not check, ...). */
  PROVER_FAILED,
  /** The request was stopped by {@code cancel} or {@code shutdown}. */
  CANCELLED,
  /** A second contribute/prove/aggregate while one runs. */
  BUSY
}
