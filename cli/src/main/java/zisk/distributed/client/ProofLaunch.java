package zisk.distributed.client;

import zisk.distributed.api.v1.LaunchProofRequest;
import zisk.distributed.api.v1.LaunchProofResponse;
import zisk.distributed.api.v1.SystemStatusRequest;
import zisk.distributed.api.v1.SystemStatusResponse;

/**
 * LaunchProof with a client_request_id, so that the same launch retried on another URL after a
 * failover answers the job the first call created instead of launching a second one.
 */
public final class ProofLaunch {

  private final Coordinators coordinators;

  public ProofLaunch(Coordinators coordinators) {
    this.coordinators = coordinators;
  }

  /**
   * @param capacity compute units; null: the cluster's connected capacity (at least 1)
   * @param webhookUrl where the coordinator POSTs the outcome; null: nowhere
   * @return the job's id
   */
  public String launch(
      String inputId, String blockId, Integer capacity, String clientRequestId, String webhookUrl) {
    int units = capacity != null ? capacity : clusterCapacity();
    LaunchProofRequest.Builder request =
        LaunchProofRequest.newBuilder()
            .setInputId(inputId)
            .setBlockId(blockId)
            .setComputeCapacity(units)
            .setClientRequestId(clientRequestId);
    if (webhookUrl != null) {
      request.setWebhookUrl(webhookUrl);
    }
    return send(request.build());
  }

  /** Sends a prepared request (the demo launches by input_path). */
  public String send(LaunchProofRequest request) {
    LaunchProofResponse response =
        coordinators.call("LaunchProof", api -> api.launchProof(request));
    if (response.hasError()) {
      throw ClientFailure.answered("LaunchProof", response.getError());
    }
    return response.getJobId();
  }

  private int clusterCapacity() {
    SystemStatusResponse response =
        coordinators.call(
            "SystemStatus", api -> api.systemStatus(SystemStatusRequest.getDefaultInstance()));
    if (response.hasError()) {
      throw ClientFailure.answered("SystemStatus", response.getError());
    }
    return Math.max(1, response.getStatus().getComputeCapacity());
  }
}
