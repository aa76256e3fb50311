package zisk.distributed.worker.prover;

import zisk.distributed.worker.prover.reference.ReferenceProverBackend;

/** The prover backends a worker can run, by the name used in {@code prover.backend}. */
public final class ProverBackends {

  private ProverBackends() {}

  /** A new backend; throws IllegalArgumentException for an unknown name. */
  public static ProverBackend create(String name) {
    if ("reference".equals(name)) {
      return new ReferenceProverBackend();
    }
    throw new IllegalArgumentException(
        "unknown prover backend '" + name + "' (available: reference)");
  }
}
