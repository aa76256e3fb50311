package zisk.distributed.coordinator.store;

/** A prover's availability; the same names as the provers.state column. */
public enum ProverState {
  IDLE,
  BUSY,
  DISCONNECTED
}
