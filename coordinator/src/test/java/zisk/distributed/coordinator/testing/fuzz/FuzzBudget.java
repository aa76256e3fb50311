package zisk.distributed.coordinator.testing.fuzz;

import java.util.Optional;

/**
 * How many cases a fuzz test runs, and from which seed. The normal test command runs a bounded
 * number from a fixed seed (the same cases every time); a long run is asked for with {@code
 * -Dzisk.fuzz.tries=N} or {@code ZISK_FUZZ_TRIES=N}, from a fresh seed unless {@code
 * -Dzisk.fuzz.seed} / {@code ZISK_FUZZ_SEED} names one. Every failure names the seed and the case,
 * so any case can be replayed.
 */
public record FuzzBudget(int tries, long seed) {

  private static final int DEFAULT_TRIES = 400;
  private static final long DEFAULT_SEED = 20_251_202L;

  public static FuzzBudget fromEnvironment() {
    Optional<String> tries = setting("zisk.fuzz.tries", "ZISK_FUZZ_TRIES");
    long seed =
        setting("zisk.fuzz.seed", "ZISK_FUZZ_SEED")
            .map(Long::parseLong)
            .orElse(tries.isPresent() ? System.nanoTime() : DEFAULT_SEED);
    return new FuzzBudget(tries.map(Integer::parseInt).orElse(DEFAULT_TRIES), seed);
  }

  /** A share of the tries for a slower kind of case, at least {@code minimum}. */
  public int share(int divisor, int minimum) {
    return Math.max(minimum, tries / divisor);
  }

  /** The tag a failure message starts with, to replay it. */
  public String where(String kind, int caseNumber) {
    return kind + " case " + caseNumber + " (replay with -Dzisk.fuzz.seed=" + seed + ")";
  }

  private static Optional<String> setting(String property, String variable) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank()) {
      value = System.getenv(variable);
    }
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
  }
}
