package zisk.distributed.client;

import zisk.distributed.api.v1.FinalProofList;
import zisk.distributed.api.v1.GetProofRequest;
import zisk.distributed.api.v1.GetProofResponse;

/** GetProof of a completed job, with failover. */
public final class ProofFetch {

  private final Coordinators coordinators;

  public ProofFetch(Coordinators coordinators) {
    this.coordinators = coordinators;
  }

  public FinalProofList fetch(String jobId) {
    GetProofResponse response =
        coordinators.call(
            "GetProof", api -> api.getProof(GetProofRequest.newBuilder().setJobId(jobId).build()));
    if (response.hasError()) {
      throw ClientFailure.answered("GetProof", response.getError());
    }
    return response.getProof().getFinalProof();
  }
}
