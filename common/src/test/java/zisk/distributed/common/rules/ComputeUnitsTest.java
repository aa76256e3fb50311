package zisk.distributed.common.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ComputeUnitsTest {

  @Test
  void acceptsOneUpToTheLimit() {
    assertEquals(Optional.empty(), ComputeUnits.problem(1));
    assertEquals(Optional.empty(), ComputeUnits.problem(100_001));
    assertEquals(Optional.empty(), ComputeUnits.problem(ComputeUnits.MAX_PER_PROVER));
  }

  @Test
  void refusesZeroAndNegatives() {
    assertEquals(Optional.of("compute_units must be greater than 0"), ComputeUnits.problem(0));
    assertEquals(Optional.of("compute_units must be greater than 0"), ComputeUnits.problem(-5));
  }

  @Test
  void refusesMoreThanTheLimit() {
    assertEquals(
        Optional.of("compute_units 1000001 exceeds the limit of 1000000"),
        ComputeUnits.problem(1_000_001));
    // An unsigned 32-bit wire value widened to a long.
    assertEquals(
        Optional.of("compute_units 4294967295 exceeds the limit of 1000000"),
        ComputeUnits.problem(Integer.toUnsignedLong(-1)));
  }
}
