package zisk.distributed.worker.prover;

import zisk.distributed.worker.config.WorkerConfig;
import zisk.distributed.worker.prover.nativeprover.NativeProverBackend;
import zisk.distributed.worker.prover.reference.ReferenceProverBackend;

/** The prover backends a worker can run, by the name used in {@code prover.backend}. */
public final class ProverBackends {

  private ProverBackends() {}

  /**
   * A new backend for the configuration's {@code prover.backend}; a native one starts its prover
   * program now. Throws IllegalArgumentException for an unknown name.
   */
  public static ProverBackend create(WorkerConfig config) {
    return switch (config.backend()) {
      case "reference" -> new ReferenceProverBackend();
      // Restarts back off like reconnects: same base and cap.
      case "native" ->
          new NativeProverBackend(
              config.nativeProver(),
              config.proverId(),
              config.reconnectInterval(),
              config.maxReconnectInterval());
      default ->
          throw new IllegalArgumentException(
              "unknown prover backend '" + config.backend() + "' (available: reference, native)");
    };
  }
}
