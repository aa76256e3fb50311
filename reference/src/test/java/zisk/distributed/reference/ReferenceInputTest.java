package zisk.distributed.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReferenceInputTest {

  @TempDir Path dir;

  @Test
  void roundTripsThroughAFile() throws Exception {
    ReferenceInput input = new ReferenceInput(8, 100_000, HexFormat.of().parseHex("00ab12ff00"));
    Path file = dir.resolve("input.toml");

    input.write(file);
    ReferenceInput read = ReferenceInput.read(file);

    assertEquals(input, read);
    assertArrayEquals(input.seed(), read.seed());
    assertTrue(Files.readString(file).contains("seed = \"00ab12ff00\""));
  }

  @Test
  void randomSeedsDiffer() {
    ReferenceInput a = ReferenceInput.withRandomSeed(2, 10);
    ReferenceInput b = ReferenceInput.withRandomSeed(2, 10);

    assertEquals(ReferenceInput.RANDOM_SEED_BYTES, a.seed().length);
    assertNotEquals(a, b);
  }

  @Test
  void acceptsCommentsBlankLinesUnderscoresAndUpperCaseHex() {
    String text =
        """
        # a comment

        steps = 1_000   # trailing comment
          lanes=3
        seed = "ABcd" # another
        """;

    ReferenceInput input = ReferenceInput.parse(text, "in.toml");

    assertEquals(new ReferenceInput(3, 1000, new byte[] {(byte) 0xab, (byte) 0xcd}), input);
  }

  @Test
  void seedIsCopiedSoCallersCannotChangeIt() {
    byte[] seed = {1, 2, 3};
    ReferenceInput input = new ReferenceInput(1, 1, seed);

    seed[0] = 9;
    input.seed()[1] = 9;

    assertArrayEquals(new byte[] {1, 2, 3}, input.seed());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      missing seed          | lanes = 1\\nsteps = 2                          | in.toml: missing 'seed'
      unknown key           | lanes = 1\\nsteps = 2\\nspeed = 3\\nseed = "aa" | line 3: unknown key (expected lanes, steps and seed)
      key given twice       | lanes = 1\\nlanes = 2\\nsteps = 2\\nseed = "aa" | line 2: 'lanes' is given twice
      no equals sign        | lanes 1\\nsteps = 2\\nseed = "aa"              | line 1: expected 'key = value'
      zero lanes            | lanes = 0\\nsteps = 2\\nseed = "aa"            | line 1: 'lanes' must be between 1 and 1024
      too many lanes        | lanes = 5000\\nsteps = 2\\nseed = "aa"         | line 1: 'lanes' must be between 1 and 1024
      too many steps        | lanes = 1\\nsteps = 99999999999\\nseed = "aa"  | line 2: 'steps' must be between 1 and 16777216
      negative steps        | lanes = 1\\nsteps = -5\\nseed = "aa"           | line 2: 'steps' must be a positive integer
      empty seed            | lanes = 1\\nsteps = 2\\nseed = ""              | line 3: 'seed' must be an even number of hex digits
      odd hex seed          | lanes = 1\\nsteps = 2\\nseed = "abc"           | line 3: 'seed' must be an even number of hex digits
      non-hex seed          | lanes = 1\\nsteps = 2\\nseed = "zz"            | line 3: 'seed' must be an even number of hex digits
      unquoted seed         | lanes = 1\\nsteps = 2\\nseed = aa              | line 3: 'seed' must be a quoted hex string
      quoted lanes          | lanes = "1"\\nsteps = 2\\nseed = "aa"          | line 1: 'lanes' must be an integer, not a string
      unterminated string   | lanes = 1\\nsteps = 2\\nseed = "aa             | line 3: unterminated string
      text after value      | lanes = 1\\nsteps = 2\\nseed = "aa" xx         | line 3: unexpected text after the value
      """)
  void rejectsBadFilesWithClearMessages(String name, String text, String message) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ReferenceInput.parse(text.replace("\\n", "\n"), "in.toml"));

    assertTrue(e.getMessage().startsWith("in.toml: "), e.getMessage());
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      a shadow line       | root:$6$SECRET$hash:19000:0:99999:7:::
      a key               | SECRET_token = 1
      an integer          | lanes = 12SECRET
      a seed              | lanes = 1\\nsteps = 2\\nseed = "SECRET"
      text after a value  | lanes = 1 SECRET
      a nul byte          | SECRET\\0 = 1
      """)
  void parseErrorsNeverQuoteTheContent(String name, String text) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ReferenceInput.parse(text.replace("\\n", "\n").replace("\\0", "\0"), "input_path"));

    assertFalse(e.getMessage().contains("SECRET"), e.getMessage());
    assertFalse(e.getMessage().contains("\0"), e.getMessage());
  }

  @Test
  void refusesBytesThatAreNotUtf8WithoutQuotingThem() {
    byte[] latin1 = "lanes = 1 # caf\u00e9".getBytes(StandardCharsets.ISO_8859_1);

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ReferenceInput.parse(ByteBuffer.wrap(latin1), "input_path"));
    assertEquals("input_path: not UTF-8 text", e.getMessage());
  }

  @Test
  void readingStopsAtTheLimitWhateverTheSizeSays() {
    Path zero = Path.of("/dev/zero");
    assumeTrue(Files.exists(zero), "needs /dev/zero");

    // /dev/zero says 0 bytes and never ends: the read stops one byte past the limit.
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ReferenceInput.read(zero));
    assertTrue(e.getMessage().contains("too large for a reference input"), e.getMessage());
  }

  @Test
  void refusesALargeFile() throws Exception {
    Path big = Files.write(dir.resolve("big.bin"), new byte[ReferenceInput.MAX_FILE_BYTES + 1]);

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ReferenceInput.read(big));
    assertTrue(e.getMessage().contains("too large for a reference input"), e.getMessage());
  }

  @Test
  void readingAMissingFileIsAnIoError() {
    assertThrows(java.io.IOException.class, () -> ReferenceInput.read(dir.resolve("none.toml")));
  }

  @Test
  void seedHashNamesTheSeedWithoutRevealingIt() {
    ReferenceInput input = new ReferenceInput(1, 1, new byte[] {1});

    assertEquals(32, input.seedHash().length);
    assertFalse(input.toString().isEmpty());
  }
}
