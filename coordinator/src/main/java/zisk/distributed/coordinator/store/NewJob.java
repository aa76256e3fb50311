package zisk.distributed.coordinator.store;

import java.util.Optional;

/**
 * A validated LaunchProof request.
 *
 * @param inputPath where the provers read the input; empty when {@code inputId} is set
 * @param inputId the uploaded input the job reads instead (UploadInput); null for an input_path
 * @param launchedBy the name of the token that launched it; empty without tokens
 * @param timeouts the task time limits the job asked for
 * @param webhookUrl where the job's outcome is POSTed when it ends; empty for none
 */
public record NewJob(
    String blockId,
    int computeCapacity,
    String inputPath,
    Optional<String> clientRequestId,
    int maxAttempts,
    Optional<String> launchedBy,
    JobTimeouts timeouts,
    String inputId,
    Optional<String> webhookUrl) {

  /** A job reading its input from {@code inputPath}, without a webhook. */
  public NewJob(
      String blockId,
      int computeCapacity,
      String inputPath,
      Optional<String> clientRequestId,
      int maxAttempts,
      Optional<String> launchedBy,
      JobTimeouts timeouts) {
    this(
        blockId,
        computeCapacity,
        inputPath,
        clientRequestId,
        maxAttempts,
        launchedBy,
        timeouts,
        null,
        Optional.empty());
  }

  /** A job with the coordinator's task time limits. */
  public NewJob(
      String blockId,
      int computeCapacity,
      String inputPath,
      Optional<String> clientRequestId,
      int maxAttempts,
      Optional<String> launchedBy) {
    this(
        blockId,
        computeCapacity,
        inputPath,
        clientRequestId,
        maxAttempts,
        launchedBy,
        JobTimeouts.NONE);
  }

  /** A job launched without a token. */
  public NewJob(
      String blockId,
      int computeCapacity,
      String inputPath,
      Optional<String> clientRequestId,
      int maxAttempts) {
    this(blockId, computeCapacity, inputPath, clientRequestId, maxAttempts, Optional.empty());
  }

  /** For binding: the request id, or SQL NULL. */
  public String clientRequestIdOrNull() {
    return clientRequestId.orElse(null);
  }
}
