package zisk.distributed.coordinator.api;

import java.time.Duration;
import java.util.Optional;
import zisk.distributed.api.v1.LaunchProofRequest;
import zisk.distributed.common.rules.SafeText;
import zisk.distributed.coordinator.config.TaskTimeouts;
import zisk.distributed.coordinator.store.JobTimeouts;
import zisk.distributed.coordinator.store.NewJob;

/** Validates LaunchProof input; a bad request is refused with a message that says what is wrong. */
final class LaunchRequests {

  static final int MAX_BLOCK_ID_LENGTH = 256;
  static final int MAX_INPUT_PATH_LENGTH = 4096;
  static final int MAX_CLIENT_REQUEST_ID_LENGTH = 256;

  private final int maxComputeCapacity;
  private final int maxAttempts;
  private final TaskTimeouts timeouts;
  private final WebhookUrls webhookUrls;

  LaunchRequests(
      int maxComputeCapacity, int maxAttempts, TaskTimeouts timeouts, WebhookUrls webhookUrls) {
    this.maxComputeCapacity = maxComputeCapacity;
    this.maxAttempts = maxAttempts;
    this.timeouts = timeouts;
    this.webhookUrls = webhookUrls;
  }

  /**
   * @param launchedBy the name of the launching token, recorded with the job
   */
  NewJob validate(LaunchProofRequest request, Optional<String> launchedBy) {
    String blockId = request.getBlockId().strip();
    if (blockId.isEmpty()) {
      throw ApiException.invalidArgument("block_id is required");
    }
    requirePrintable("block_id", blockId, MAX_BLOCK_ID_LENGTH);
    // uint32 on the wire: read it unsigned, so 3000000000 is "too large", not "negative".
    long capacity = Integer.toUnsignedLong(request.getComputeCapacity());
    if (capacity == 0) {
      throw ApiException.invalidArgument("compute_capacity must be greater than 0");
    }
    if (capacity > maxComputeCapacity) {
      throw ApiException.invalidArgument(
          "compute_capacity "
              + capacity
              + " exceeds this coordinator's maximum of "
              + maxComputeCapacity);
    }
    String inputPath = request.getInputPath().strip();
    String inputId = request.getInputId().strip();
    if (inputPath.isEmpty() && inputId.isEmpty()) {
      throw ApiException.invalidArgument(
          "input_path is required, or instead input_id (an input stored with UploadInput)");
    }
    if (!inputPath.isEmpty() && !inputId.isEmpty()) {
      throw ApiException.invalidArgument(
          "give only one of input_path (a file the provers read) and input_id (an uploaded"
              + " input), not both");
    }
    if (inputId.isEmpty()) {
      requirePrintable("input_path", inputPath, MAX_INPUT_PATH_LENGTH);
    } else if (!InputIds.isValid(inputId)) {
      throw ApiException.invalidArgument(
          "input_id '"
              + SafeText.shorten(inputId)
              + "' is not an input id: input ids are the 64 lowercase hex digits UploadInput"
              + " answers");
    }
    Optional<String> clientRequestId =
        Optional.of(request.getClientRequestId().strip()).filter(id -> !id.isEmpty());
    if (clientRequestId.isPresent()) {
      requirePrintable("client_request_id", clientRequestId.get(), MAX_CLIENT_REQUEST_ID_LENGTH);
    }
    JobTimeouts jobTimeouts =
        new JobTimeouts(
            timeout(
                "partial_contribution_timeout_seconds",
                request.getPartialContributionTimeoutSeconds(),
                timeouts.partialContribution()),
            timeout("prove_timeout_seconds", request.getProveTimeoutSeconds(), timeouts.prove()),
            timeout(
                "aggregate_timeout_seconds",
                request.getAggregateTimeoutSeconds(),
                timeouts.aggregate()));
    Optional<String> webhookUrl = webhookUrls.validate(request.getWebhookUrl());
    return new NewJob(
        blockId,
        (int) capacity,
        inputPath,
        clientRequestId,
        maxAttempts,
        launchedBy,
        jobTimeouts,
        inputId.isEmpty() ? null : inputId,
        webhookUrl);
  }

  /**
   * A job's own limit: null when unset (0), refused above the coordinator's. Refused rather than
   * capped: a client that asked for more than it gets would see its tasks time out early, unwarned.
   */
  private static Integer timeout(String field, int requested, Duration configured) {
    long seconds = Integer.toUnsignedLong(requested);
    if (seconds == 0) {
      return null;
    }
    if (seconds > configured.toSeconds()) {
      throw ApiException.invalidArgument(
          field
              + " "
              + seconds
              + " is above this coordinator's limit of "
              + configured.toSeconds()
              + " s; a job may only lower it");
    }
    return (int) seconds;
  }

  static void requirePrintable(String field, String value, int maxLength) {
    if (value.length() > maxLength) {
      throw ApiException.invalidArgument(
          field + " is " + value.length() + " characters long; the limit is " + maxLength);
    }
    // The shared rule for stored text; refused rather than cleaned, so what is stored is what
    // the client sent.
    if (!SafeText.isClean(value)) {
      throw ApiException.invalidArgument(
          field + " contains control characters (NUL, line breaks, bidi overrides and the like)");
    }
  }
}
