package zisk.distributed.coordinator.scheduling;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.UUID;
import org.junit.jupiter.api.Test;
import zisk.distributed.coordinator.lifecycle.Effects;

class NotificationsTest {

  @Test
  void cancellationsSurviveTheirPayloadEncodingWhateverTheirTextHolds() {
    Effects.Cancellation withTask =
        new Effects.Cancellation(
            "gpu|07",
            UUID.randomUUID(),
            UUID.randomUUID(),
            "attempt 1 failed: prover x|y said \"no\"");
    Effects.Cancellation withoutTask = new Effects.Cancellation("p", UUID.randomUUID(), null, "");

    assertEquals(withTask, Notifications.decodeCancel(Notifications.encodeCancel(withTask)));
    assertEquals(withoutTask, Notifications.decodeCancel(Notifications.encodeCancel(withoutTask)));
  }
}
