package zisk.distributed.worker.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class EndpointRotationTest {

  private final CoordinatorEndpoint a = new CoordinatorEndpoint("a", 1, false);
  private final CoordinatorEndpoint b = new CoordinatorEndpoint("b", 1, false);
  private final CoordinatorEndpoint c = new CoordinatorEndpoint("c", 1, false);

  @Test
  void failuresMoveToTheNextUrlAndReportFullRounds() {
    EndpointRotation rotation = new EndpointRotation(List.of(a, b, c));

    assertEquals(a, rotation.current());
    assertFalse(rotation.failed());
    assertEquals(b, rotation.current());
    assertFalse(rotation.failed());
    assertEquals(c, rotation.current());
    assertTrue(rotation.failed(), "all three failed: back off");
    assertEquals(a, rotation.current());
  }

  @Test
  void aConnectionStartsAFreshRoundWhereItSucceeded() {
    EndpointRotation rotation = new EndpointRotation(List.of(a, b));
    rotation.failed();
    rotation.connected();

    assertEquals(b, rotation.current());
    assertFalse(rotation.failed());
    assertTrue(rotation.failed());
    assertEquals(b, rotation.current());
  }

  @Test
  void aSingleUrlCompletesARoundOnEveryFailure() {
    EndpointRotation rotation = new EndpointRotation(List.of(a));

    assertTrue(rotation.failed());
    assertTrue(rotation.failed());
    assertEquals(a, rotation.current());
  }
}
