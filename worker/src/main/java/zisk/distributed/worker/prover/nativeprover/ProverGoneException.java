package zisk.distributed.worker.prover.nativeprover;

/** The prover process can no longer answer: it exited, broke the protocol, or is being replaced. */
final class ProverGoneException extends Exception {

  ProverGoneException(String reason) {
    super(reason);
  }
}
