package zisk.distributed.common.inputs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputFilesTest {

  private static final String SECRET = "root:$6$SECRET-HASH:19000:0:99999:7:::\n";

  @TempDir Path temp;
  private Path inputs;
  private Path outside;
  private InputFiles files;

  @BeforeEach
  void createDirectories() throws Exception {
    inputs = Files.createDirectory(temp.resolve("inputs"));
    outside = Files.writeString(temp.resolve("shadow"), SECRET);
    files = new InputFiles(List.of(inputs), 1024);
  }

  @Test
  void readsARegularFileByAbsolutePathOrRelativeToTheFirstDirectory() throws Exception {
    Files.createDirectory(inputs.resolve("blocks"));
    Path file = Files.writeString(inputs.resolve("blocks/b1.toml"), "lanes = 1\n");

    InputFile absolute = files.open(file.toString());
    InputFile relative = files.open("blocks/b1.toml");

    assertEquals(file.toRealPath(), absolute.path());
    assertEquals(file.toRealPath(), relative.path());
    assertEquals("lanes = 1\n", text(absolute));
    assertEquals("lanes = 1\n", text(relative));
  }

  @Test
  void refusesAFileOutsideTheInputsDirectoriesWithoutRevealingIt() {
    for (String path :
        List.of(outside.toString(), "../shadow", inputs + "/../shadow", "/etc/passwd")) {
      InputRefusedException e = assertThrows(InputRefusedException.class, () -> files.open(path));
      assertEquals("input_path is outside the worker's inputs directories", e.getMessage(), path);
    }
  }

  @Test
  void aSiblingWhoseNameStartsLikeTheDirectoryIsOutside() throws Exception {
    Path sibling = Files.createDirectory(temp.resolve("inputs-evil"));
    Path file = Files.writeString(sibling.resolve("x.toml"), SECRET);

    InputRefusedException e =
        assertThrows(InputRefusedException.class, () -> files.open(file.toString()));
    assertEquals(InputFiles.OUTSIDE, e.getMessage());
  }

  @Test
  void refusesALinkInsideThatLeadsOutside() throws Exception {
    Files.createSymbolicLink(inputs.resolve("link.toml"), outside);
    Files.createSymbolicLink(inputs.resolve("etc"), temp);

    for (String path : List.of("link.toml", inputs + "/link.toml", "etc/shadow")) {
      InputRefusedException e = assertThrows(InputRefusedException.class, () -> files.open(path));
      assertEquals(InputFiles.OUTSIDE, e.getMessage(), path);
    }
  }

  @Test
  void followsALinkThatStaysInside() throws Exception {
    Path real = Files.writeString(inputs.resolve("real.toml"), "inside");
    Files.createSymbolicLink(inputs.resolve("alias.toml"), real);

    assertEquals("inside", text(files.open("alias.toml")));
  }

  @Test
  void acceptsTheDirectoryThroughALinkToIt() throws Exception {
    Files.writeString(inputs.resolve("a.toml"), "via link");
    Path link = Files.createSymbolicLink(temp.resolve("inputs-link"), inputs);
    InputFiles viaLink = new InputFiles(List.of(link), 1024);

    assertEquals("via link", text(viaLink.open("a.toml")));
    assertEquals("via link", text(viaLink.open(inputs.resolve("a.toml").toString())));
  }

  @Test
  void refusesDevZeroAsNotARegularFileWithoutReadingIt() {
    Path dev = Path.of("/dev");
    assumeTrue(Files.exists(dev.resolve("zero")), "needs /dev/zero");
    // Even an operator who made /dev an inputs directory gets no device read.
    InputFiles fromDev = new InputFiles(List.of(dev), InputFiles.MAX_LIMIT_BYTES);

    InputRefusedException e =
        assertTimeoutPreemptively(
            Duration.ofSeconds(10),
            () -> assertThrows(InputRefusedException.class, () -> fromDev.open("/dev/zero")));
    assertEquals("input_path is not a regular file", e.getMessage());
  }

  @Test
  void refusesAFifoWithoutOpeningIt() throws Exception {
    Path fifo = inputs.resolve("pipe.toml");
    int status = new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor();
    assumeTrue(status == 0 && Files.exists(fifo), "needs mkfifo");

    // Opening a FIFO for reading blocks until a writer comes: the check must come first.
    InputRefusedException e =
        assertTimeoutPreemptively(
            Duration.ofSeconds(10),
            () -> assertThrows(InputRefusedException.class, () -> files.open("pipe.toml")));
    assertEquals(InputFiles.NOT_REGULAR, e.getMessage());
  }

  @Test
  void refusesADirectory() throws Exception {
    Files.createDirectory(inputs.resolve("sub"));

    for (String path : List.of("sub", ".", inputs.toString())) {
      InputRefusedException e = assertThrows(InputRefusedException.class, () -> files.open(path));
      assertEquals(InputFiles.NOT_REGULAR, e.getMessage(), path);
    }
  }

  @Test
  void refusesAFileLargerThanTheLimit() throws Exception {
    Files.write(inputs.resolve("exact.bin"), new byte[1024]);
    Files.write(inputs.resolve("big.bin"), new byte[1025]);

    assertEquals(1024, files.open("exact.bin").size());
    InputRefusedException e =
        assertThrows(InputRefusedException.class, () -> files.open("big.bin"));
    assertEquals("input_path is larger than prover.max_input_bytes (1024)", e.getMessage());
  }

  @Test
  void theLimitHoldsWhileReadingWhateverTheSizeSaid() {
    Path status = Path.of("/proc/self/status");
    assumeTrue(Files.isRegularFile(status), "needs /proc");
    // A regular file whose size reads 0 but whose content is over a kilobyte.
    InputFiles fromProc = new InputFiles(List.of(Path.of("/proc/self")), 100);

    InputRefusedException e =
        assertThrows(InputRefusedException.class, () -> fromProc.open("status"));
    assertEquals("input_path is larger than prover.max_input_bytes (100)", e.getMessage());
  }

  @Test
  void saysWhenTheFileDoesNotExist() {
    InputRefusedException e =
        assertThrows(InputRefusedException.class, () -> files.open("none.toml"));
    assertEquals(InputFiles.MISSING, e.getMessage());
  }

  @Test
  void refusesPathsThatAreNotPathsWithoutEchoingThem() {
    assertEquals("input_path is empty", refusal(""));
    assertEquals("input_path is not a valid path", refusal("in\0put.toml"));
    assertEquals(
        "input_path is longer than 4096 characters", refusal("x".repeat(1 << 20) + ".toml"));
  }

  @Test
  void readsFromEveryDirectoryButTakesRelativePathsInTheFirst() throws Exception {
    Path second = Files.createDirectory(temp.resolve("second"));
    Files.writeString(second.resolve("b.toml"), "second");
    InputFiles two = new InputFiles(List.of(inputs, second), 1024);

    assertEquals("second", text(two.open(second.resolve("b.toml").toString())));
    assertEquals(
        InputFiles.MISSING,
        assertThrows(InputRefusedException.class, () -> two.open("b.toml")).getMessage());
  }

  @Test
  void aMissingDirectoryHoldsNothing() {
    InputFiles none = new InputFiles(List.of(temp.resolve("absent")), 1024);

    assertEquals(
        InputFiles.MISSING,
        assertThrows(InputRefusedException.class, () -> none.open("a.toml")).getMessage());
    assertEquals(
        InputFiles.OUTSIDE,
        assertThrows(InputRefusedException.class, () -> none.open(outside.toString()))
            .getMessage());
  }

  @Test
  void theContentIsReadOnly() throws Exception {
    Files.write(inputs.resolve("bytes.bin"), new byte[] {1, 2, 3});
    ByteBuffer content = files.open("bytes.bin").content();

    byte[] read = new byte[content.remaining()];
    content.get(read);
    assertArrayEquals(new byte[] {1, 2, 3}, read);
    assertThrows(Exception.class, () -> files.open("bytes.bin").content().put((byte) 9));
  }

  private String refusal(String path) {
    return assertThrows(InputRefusedException.class, () -> files.open(path)).getMessage();
  }

  private static String text(InputFile file) {
    return StandardCharsets.UTF_8.decode(file.content()).toString();
  }
}
