package zisk.distributed.bench;

import zisk.distributed.api.v1.ExecuteTaskRequest;
import zisk.distributed.api.v1.ExecuteTaskResponse;

/**
 * What a measurement wants to hear from its zero-work provers, with {@link System#nanoTime()}
 * stamps taken on the prover's stream callback. Called on gRPC transport threads: implementations
 * must be thread-safe and must not block.
 */
interface ProverEvents {

  ProverEvents NONE = new ProverEvents() {};

  /** A task arrived; {@code nanos} is taken first thing in the callback. */
  default void taskReceived(ExecuteTaskRequest task, long nanos) {}

  /** A result was written to the stream; {@code nanos} is taken just before the write. */
  default void resultSent(ExecuteTaskResponse result, long nanos) {}
}
