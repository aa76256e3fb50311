package zisk.distributed.common.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class UuidsTest {

  @Test
  void parsesTheCanonicalFormInEitherCase() {
    UUID id = UUID.fromString("3f1c2a9e-2b9e-4d1a-9c55-0f1e2d3c4b5a");

    assertEquals(Optional.of(id), Uuids.parse("3f1c2a9e-2b9e-4d1a-9c55-0f1e2d3c4b5a"));
    assertEquals(Optional.of(id), Uuids.parse("3F1C2A9E-2B9E-4D1A-9C55-0F1E2D3C4B5A"));
    assertEquals(Optional.of(id), Uuids.parse(id.toString()));
  }

  @Test
  void refusesWhatUuidFromStringWouldStretchToAccept() {
    for (String text :
        new String[] {
          "1-1-1-1-1", // fromString reads it as 00000001-0001-...
          "+f1c2a9e-2b9e-4d1a-9c55-0f1e2d3c4b5a", // a sign inside a group, still 36 characters
          "3f1c2a9e-2b9e-4d1a-9c55-+f1e2d3c4b5a",
          "3f1c2a9e2b9e4d1a9c550f1e2d3c4b5a0000", // no dashes
          "3f1c2a9e-2b9e-4d1a-9c55_0f1e2d3c4b5a", // a dash in the wrong place
          "3f1c2a9e-2b9e-4d1a-9c55-0f1e2d3c4b5g", // not hex
          "3f1c2a9e-2b9e-4d1a-9c55-0f1e2d3c4b5\uff10", // a full-width digit
          " 3f1c2a9e-2b9e-4d1a-9c55-0f1e2d3c4b5",
          "3f1c2a9e-2b9e-4d1a-9c55-0f1e2d3c4b5a0",
          "",
          "job-1"
        }) {
      assertEquals(Optional.empty(), Uuids.parse(text), text);
    }
    assertEquals(Optional.empty(), Uuids.parse(null));
  }
}
