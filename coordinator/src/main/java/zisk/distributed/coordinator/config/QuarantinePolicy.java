package zisk.distributed.coordinator.config;

import java.time.Duration;

/**
 * When a prover that keeps failing gets no new work, and for how long (README, "Reliability"):
 * after {@code afterFailures} failed, timed-out or invalid tasks in a row, no new work for {@code
 * cooldown}, doubled at each repeat up to {@code maxCooldown}; one success clears it.
 */
public record QuarantinePolicy(int afterFailures, Duration cooldown, Duration maxCooldown) {

  public static final QuarantinePolicy DEFAULT =
      new QuarantinePolicy(3, Duration.ofSeconds(60), Duration.ofSeconds(3600));

  public QuarantinePolicy {
    if (afterFailures < 1) {
      throw new IllegalArgumentException("afterFailures must be at least 1");
    }
    if (maxCooldown.compareTo(cooldown) < 0) {
      throw new IllegalArgumentException("maxCooldown must be at least cooldown");
    }
  }

  /** The cool-down of the {@code count}-th quarantine since the last success: doubled, capped. */
  public Duration cooldown(int count) {
    Duration result = cooldown;
    for (int i = 1; i < count && result.compareTo(maxCooldown) < 0; i++) {
      result = result.multipliedBy(2);
    }
    return result.compareTo(maxCooldown) > 0 ? maxCooldown : result;
  }
}
