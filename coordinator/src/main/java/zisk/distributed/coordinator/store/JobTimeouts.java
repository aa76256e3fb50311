package zisk.distributed.coordinator.store;

/**
 * A job's own task time limits, in seconds, each lower than the coordinator's ({@code
 * jobs.timeouts}); null where the job uses the coordinator's limit.
 */
public record JobTimeouts(
    Integer partialContributionSeconds, Integer proveSeconds, Integer aggregateSeconds) {

  /** A job that uses the coordinator's limits. */
  public static final JobTimeouts NONE = new JobTimeouts(null, null, null);
}
