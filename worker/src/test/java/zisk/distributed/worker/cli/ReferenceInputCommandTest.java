package zisk.distributed.worker.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import zisk.distributed.reference.ReferenceInput;

class ReferenceInputCommandTest {

  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @Test
  void writesAnInputWithTheGivenSeed() throws Exception {
    Path file = dir.resolve("input.toml");

    int code = run("--lanes", "4", "--steps", "1000", "--seed", "ABcd01", "-o", file.toString());

    assertEquals(0, code, err.toString());
    assertEquals("wrote " + file + ": lanes=4, steps=1000, seed=abcd01", out.toString().strip());
    ReferenceInput input = ReferenceInput.read(file);
    assertEquals(4, input.lanes());
    assertEquals(1000, input.steps());
    assertArrayEquals(new byte[] {(byte) 0xab, (byte) 0xcd, 1}, input.seed());
  }

  @Test
  void writesARandomSeedWhenNoneIsGiven() throws Exception {
    Path file = dir.resolve("input.toml");

    int code = run("--lanes", "1", "--steps", "5", "--output", file.toString());

    assertEquals(0, code, err.toString());
    assertEquals(ReferenceInput.RANDOM_SEED_BYTES, ReferenceInput.read(file).seed().length);
  }

  @Test
  void rejectsBadValuesAsUsageErrors() {
    Path file = dir.resolve("input.toml");

    assertEquals(2, run("--lanes", "0", "--steps", "5", "-o", file.toString()));
    assertTrue(err.toString().contains("lanes must be between 1 and 1024"), err.toString());
    assertEquals(2, run("--lanes", "1", "--steps", "5", "--seed", "xyz", "-o", file.toString()));
    assertEquals(2, run("--steps", "5", "-o", file.toString()));
    assertFalse(Files.exists(file));
  }

  @Test
  void reportsAFileItCannotWrite() {
    Path file = dir.resolve("no-such-dir").resolve("input.toml");

    assertEquals(1, run("--lanes", "1", "--steps", "5", "-o", file.toString()));
    assertTrue(err.toString().contains("cannot write"), err.toString());
  }

  private int run(String... args) {
    return new CommandLine(new ReferenceInputCommand())
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute(args);
  }
}
