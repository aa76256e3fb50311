package zisk.distributed.worker.connection;

import zisk.distributed.api.v1.ProverMessage;

/** Somewhere a prover message can be written: an open session, or a test's recorder. */
public interface Outbound {

  /** Writes the message; false when it could not be written (the stream is closed). */
  boolean send(ProverMessage message);
}
