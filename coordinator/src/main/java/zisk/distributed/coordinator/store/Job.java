package zisk.distributed.coordinator.store;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A row of {@code jobs}, with the provers of its current attempt by rank.
 *
 * @param phase null before the job first starts
 * @param startedAt start of the current attempt; null while queued the first time
 * @param finishedAt set once the job is COMPLETED, FAILED or CANCELLED
 * @param launchedBy name of the token that launched it; null without tokens
 * @param rankReplacements the current attempt's lost ranks and their replacements, oldest first
 * @param inputPath empty for a job launched with an uploaded input
 * @param inputId the uploaded input the job reads; null for a job launched with an input_path
 */
public record Job(
    UUID jobId,
    String blockId,
    String inputPath,
    int computeCapacity,
    JobState state,
    Phase phase,
    int attempt,
    int maxAttempts,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt,
    String waitingReason,
    String errorCode,
    String errorMessage,
    List<String> assignedProvers,
    String launchedBy,
    List<String> rankReplacements,
    String inputId) {}
