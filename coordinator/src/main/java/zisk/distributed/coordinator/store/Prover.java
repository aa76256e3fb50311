package zisk.distributed.coordinator.store;

import java.time.Instant;
import java.util.UUID;

/**
 * A row of {@code provers}, with the job of its active task if it has one.
 *
 * @param instanceId the coordinator holding its stream; null when disconnected
 * @param currentJobId null when the prover has no active task
 * @param heldUntil while quarantined (for any reason), until when; null when not
 * @param quarantineReason while quarantined, why; null when not
 * @param failureStreak faults in a row since its last success
 * @param quarantineCount quarantines since its last success
 */
public record Prover(
    String proverId,
    ProverState state,
    int computeUnits,
    UUID instanceId,
    long sessionEpoch,
    Instant connectedAt,
    Instant lastHeartbeatAt,
    UUID currentJobId,
    Instant heldUntil,
    String quarantineReason,
    int failureStreak,
    int quarantineCount) {}
