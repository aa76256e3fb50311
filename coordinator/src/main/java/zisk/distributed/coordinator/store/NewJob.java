package zisk.distributed.coordinator.store;

import java.util.Optional;

/** A validated LaunchProof request. */
public record NewJob(
    String blockId,
    int computeCapacity,
    String inputPath,
    Optional<String> clientRequestId,
    int maxAttempts) {

  /** For binding: the request id, or SQL NULL. */
  public String clientRequestIdOrNull() {
    return clientRequestId.orElse(null);
  }
}
