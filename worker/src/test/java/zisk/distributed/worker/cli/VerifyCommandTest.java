package zisk.distributed.worker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import zisk.distributed.api.v1.FinalProof;
import zisk.distributed.api.v1.FinalProofList;
import zisk.distributed.reference.ReferenceInput;
import zisk.distributed.worker.prover.reference.JobFixture;

class VerifyCommandTest {

  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private Path inputFile;
  private FinalProofList proof;

  @BeforeEach
  void proveAnInput() throws Exception {
    inputFile = dir.resolve("input.toml");
    proof = JobFixture.prove(new ReferenceInput(3, 20, new byte[] {1, 2}), inputFile, 1, 1);
  }

  @Test
  void acceptsAValidProof() throws Exception {
    Path proofFile = write(proof.toByteArray());

    assertEquals(0, run("--input", inputFile.toString(), proofFile.toString()), err.toString());
    assertEquals(
        "proof OK: 3 lanes, 20 steps per lane, 198 Merkle openings checked",
        out.toString().strip());
  }

  @Test
  void rejectsATamperedProof() throws Exception {
    FinalProof original = proof.getFinalProofs(0);
    FinalProof tampered = original.toBuilder().setValues(40, original.getValues(40) ^ 4).build();
    Path proofFile =
        write(FinalProofList.newBuilder().addFinalProofs(tampered).build().toByteArray());

    assertEquals(VerifyCommand.INVALID, run("--input", inputFile.toString(), proofFile.toString()));
    assertTrue(out.toString().startsWith("proof INVALID: "), out.toString());
  }

  @Test
  void rejectsAProofOfAnotherInput() throws Exception {
    Path proofFile = write(proof.toByteArray());
    Path other = dir.resolve("other.toml");
    new ReferenceInput(3, 21, new byte[] {1, 2}).write(other);

    assertEquals(VerifyCommand.INVALID, run("--input", other.toString(), proofFile.toString()));
    assertTrue(out.toString().contains("another input"), out.toString());
  }

  @Test
  void rejectsBytesThatAreNoProof() throws Exception {
    Path proofFile = write(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2, 3});

    assertEquals(VerifyCommand.INVALID, run("--input", inputFile.toString(), proofFile.toString()));
    assertTrue(out.toString().startsWith("proof INVALID: "), out.toString());
  }

  @Test
  void reportsFilesItCannotRead() throws Exception {
    Path proofFile = write(proof.toByteArray());
    Path badInput = dir.resolve("bad.toml");
    Files.writeString(badInput, "lanes = 1\n");

    assertEquals(
        VerifyCommand.UNREADABLE,
        run("--input", inputFile.toString(), dir.resolve("none.bin").toString()));
    assertEquals(
        VerifyCommand.UNREADABLE, run("--input", badInput.toString(), proofFile.toString()));
    assertTrue(err.toString().contains("missing 'steps'"), err.toString());
  }

  @Test
  void needsAnInputAndAProof() {
    assertEquals(2, run("proof.bin"));
    assertEquals(2, run("--input", inputFile.toString()));
  }

  private Path write(byte[] bytes) throws Exception {
    return Files.write(dir.resolve("proof.bin"), bytes);
  }

  private int run(String... args) {
    return new CommandLine(new VerifyCommand())
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute(args);
  }
}
