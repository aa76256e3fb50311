package zisk.distributed.worker.prover.nativeprover;

import zisk.distributed.api.v1.ChallengesList;
import zisk.distributed.api.v1.FinalProofList;
import zisk.distributed.api.v1.ProofList;

/** One message of the prover on its stdout (contract, "Messages"). Text fields are raw. */
sealed interface ProverReply {

  /** The handshake, the prover's first line. */
  record Ready(int protocol, String name, String version, boolean softCancel)
      implements ProverReply {
    @Override
    public String requestId() {
      return null;
    }
  }

  /**
   * A request's final success. The field the request expects is set; the others are null.
   *
   * @param challenges a {@code contribute}'s {@code challenges}
   * @param proofs a {@code prove}'s {@code proofs}
   * @param finalProofs an {@code aggregate}'s {@code final_proofs}
   */
  record Result(String id, ChallengesList challenges, ProofList proofs, FinalProofList finalProofs)
      implements ProverReply {
    @Override
    public String requestId() {
      return id;
    }
  }

  /** A request's final failure; {@code fatal}: the process can serve no more requests. */
  record Failure(String id, String code, String message, boolean fatal) implements ProverReply {
    @Override
    public String requestId() {
      return id;
    }
  }

  /** How far a running request is. */
  record Progress(String id, double fraction, String message) implements ProverReply {
    @Override
    public String requestId() {
      return id;
    }
  }

  /** The id of the request the message answers; null for {@code ready}. */
  String requestId();
}
