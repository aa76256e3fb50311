package zisk.distributed.coordinator.lifecycle;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.coordinator.config.QuarantinePolicy;
import zisk.distributed.coordinator.store.QuarantineDao.FaultRecord;
import zisk.distributed.coordinator.store.Tx;

/**
 * Keeps provers that keep failing away from new work (README, "Reliability"). Each fault (a failed
 * task, a task past its deadline, an invalid final proof) adds to the prover's streak; at {@link
 * QuarantinePolicy#afterFailures()} in a row it is quarantined: admission gives it no new work
 * until the cool-down ends, and each repeat doubles it. An invalid final proof quarantines at once
 * for the invalid-proof hold. One success clears the record. A busy answer, a lost stream or a
 * failure of the coordinator's own verifier is no fault of the prover's and counts for nothing.
 * Times come from the coordinator's clock, as admission and ProversList compare them.
 */
public final class Quarantine {

  /** What a prover did wrong. */
  public enum Fault {
    /** It reported a task error, or a result of the wrong shape. */
    TASK_FAILED,
    /** Its task ran past the phase's deadline (the deadline sweep reports it). */
    TIMED_OUT,
    /** It aggregated a final proof that failed verification. */
    INVALID_PROOF
  }

  private static final Logger log = LoggerFactory.getLogger(Quarantine.class);

  /** What the reason column holds at most. */
  static final int MAX_REASON = 1024;

  private final QuarantinePolicy policy;
  private final Duration invalidProofHold;
  private final Clock clock;

  /**
   * @param invalidProofHold how long an invalid final proof quarantines its prover at once (zero:
   *     it only counts as a fault)
   */
  public Quarantine(QuarantinePolicy policy, Duration invalidProofHold, Clock clock) {
    this.policy = policy;
    this.invalidProofHold = invalidProofHold;
    this.clock = clock;
  }

  /** The default policy on the system clock. */
  public static Quarantine defaults() {
    return new Quarantine(QuarantinePolicy.DEFAULT, RefusedProof.DEFAULT_HOLD, Clock.systemUTC());
  }

  /**
   * Counts a fault of the prover, inside the transition's transaction, and quarantines it when the
   * streak (or an invalid proof) calls for it; answers until when, if it did.
   */
  public Optional<Instant> fault(Tx tx, String proverId, Fault fault, String detail) {
    Optional<FaultRecord> counted = tx.quarantine().countFault(proverId);
    if (counted.isEmpty()) {
      return Optional.empty();
    }
    FaultRecord record = counted.get();
    boolean streak = record.failureStreak() >= policy.afterFailures();
    boolean immediate = fault == Fault.INVALID_PROOF && !invalidProofHold.isZero();
    if (!streak && !immediate) {
      return Optional.empty();
    }
    Duration cooldown = streak ? policy.cooldown(record.quarantineCount() + 1) : Duration.ZERO;
    if (immediate && invalidProofHold.compareTo(cooldown) > 0) {
      cooldown = invalidProofHold;
    }
    Instant until = clock.instant().plus(cooldown);
    String reason =
        switch (fault) {
              case TASK_FAILED -> "task failed";
              case TIMED_OUT -> "task timed out";
              case INVALID_PROOF -> "invalid final proof";
            }
            + " ("
            + record.failureStreak()
            + " fault(s) in a row): "
            + detail;
    if (reason.length() > MAX_REASON) {
      reason = reason.substring(0, MAX_REASON - 1) + "…";
    }
    tx.quarantine().quarantine(proverId, until, reason);
    log.warn(
        "Prover {} quarantined for {} s (quarantine {} since its last success): {}",
        proverId,
        cooldown.toSeconds(),
        record.quarantineCount() + 1,
        reason);
    return Optional.of(until);
  }

  /** The prover finished a task: its streak and quarantines are forgotten. */
  public void success(Tx tx, String proverId) {
    if (tx.quarantine().clear(proverId) > 0) {
      log.debug("Prover {} succeeded: its fault record is cleared", proverId);
    }
  }

  /** Now, by the clock quarantine times are written with. */
  public Instant now() {
    return clock.instant();
  }
}
