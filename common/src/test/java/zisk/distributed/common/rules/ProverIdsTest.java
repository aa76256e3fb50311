package zisk.distributed.common.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProverIdsTest {

  @Test
  void acceptsPrintableAsciiUpToTheLimit() {
    assertEquals(Optional.empty(), ProverIds.problem("gpu-07"));
    assertEquals(Optional.empty(), ProverIds.problem("a"));
    assertEquals(Optional.empty(), ProverIds.problem("!~" + "x".repeat(ProverIds.MAX_LENGTH - 2)));
    assertEquals(Optional.empty(), ProverIds.problem("3f1c2a9e-2b9e-4d1a-9c55-0f1e2d3c4b5a"));
  }

  @Test
  void refusesAnEmptyId() {
    assertEquals(Optional.of("prover_id is required"), ProverIds.problem(""));
    assertEquals(Optional.of("prover_id is required"), ProverIds.problem(null));
  }

  @Test
  void refusesAnIdOverTheLimit() {
    assertEquals(
        Optional.of("prover_id is 129 characters long; the limit is 128"),
        ProverIds.problem("x".repeat(129)));
  }

  @Test
  void refusesSpacesControlCharactersAndNonAscii() {
    for (String id :
        new String[] {"gpu 07", " gpu", "gpu ", "gpu\t07", "gpu\n", "caf\u00e9", "del\u007f"}) {
      assertEquals(
          Optional.of("prover_id must be printable ASCII without spaces"),
          ProverIds.problem(id),
          id);
    }
  }
}
