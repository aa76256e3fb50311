package zisk.distributed.coordinator.verification;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zisk.distributed.coordinator.verification.ProofVerdict.Outcome;
import zisk.distributed.reference.ReferenceInput;
import zisk.distributed.reference.ReferenceProofs;

/** The built-in verifier on real reference proofs and on hostile inputs. */
class ReferenceProofVerifierTest {

  private static final ReferenceInput INPUT =
      new ReferenceInput(3, 16, HexFormat.of().parseHex("5eed"));

  @TempDir Path dir;

  private ReferenceProofVerifier verifier;

  @BeforeEach
  void createVerifier() {
    verifier = new ReferenceProofVerifier(List.of(dir));
  }

  @Test
  void aRealProofIsValid() throws Exception {
    Path input = dir.resolve("input.toml");
    INPUT.write(input);

    ProofVerdict verdict =
        verifier.verify(input.toString(), ReferenceProofs.prove(INPUT, 2, 1).toByteArray());

    assertEquals(Outcome.VALID, verdict.outcome(), verdict.detail());
    assertTrue(verdict.detail().startsWith("verified by the reference verifier"));
  }

  @Test
  void aForgedSixByteProofIsInvalid() throws Exception {
    Path input = dir.resolve("input.toml");
    INPUT.write(input);

    ProofVerdict verdict = verifier.verify(input.toString(), new byte[] {10, 4, 10, 2, 8, 1});

    assertEquals(Outcome.INVALID, verdict.outcome(), verdict.detail());
  }

  @Test
  void aProofOfAnotherInputIsInvalid() throws Exception {
    Path input = dir.resolve("input.toml");
    INPUT.write(input);
    ReferenceInput other = new ReferenceInput(3, 16, HexFormat.of().parseHex("07e4"));

    ProofVerdict verdict =
        verifier.verify(input.toString(), ReferenceProofs.prove(other, 1).toByteArray());

    assertEquals(Outcome.INVALID, verdict.outcome());
    assertTrue(verdict.detail().contains("another input"), verdict.detail());
  }

  @Test
  void anInputTheCoordinatorCannotUseIsAVerifierFailureThatRevealsNothingOfIt() throws Exception {
    Path secret = dir.resolve("secret");
    Files.writeString(secret, "root:s3cr3t-hash:19000:0:99999:7:::\n");
    byte[] proof = ReferenceProofs.prove(INPUT, 1).toByteArray();

    ProofVerdict notAnInput = verifier.verify(secret.toString(), proof);
    ProofVerdict missing = verifier.verify(dir.resolve("missing").toString(), proof);
    ProofVerdict device = verifier.verify("/dev/zero", proof);
    ProofVerdict directory = verifier.verify(dir.toString(), proof);
    ProofVerdict nul = verifier.verify("in\0put", proof);

    for (ProofVerdict verdict : new ProofVerdict[] {notAnInput, missing, device, directory, nul}) {
      assertEquals(Outcome.VERIFIER_FAILED, verdict.outcome(), verdict.detail());
      assertFalse(verdict.detail().contains("s3cr3t"), verdict.detail());
    }
  }

  @Test
  void anInputLargerThanAnyReferenceInputIsNotReadWhole() throws Exception {
    Path big = dir.resolve("big.toml");
    Files.write(big, new byte[ReferenceInput.MAX_FILE_BYTES + 1]);

    ProofVerdict verdict =
        verifier.verify(big.toString(), ReferenceProofs.prove(INPUT, 1).toByteArray());

    assertEquals(Outcome.VERIFIER_FAILED, verdict.outcome());
  }

  @Test
  void aRelativeInputPathIsTakenInTheFirstInputsDirectory() throws Exception {
    Files.createDirectory(dir.resolve("blocks"));
    INPUT.write(dir.resolve("blocks/input.toml"));

    ProofVerdict verdict =
        verifier.verify("blocks/input.toml", ReferenceProofs.prove(INPUT, 1).toByteArray());

    assertEquals(Outcome.VALID, verdict.outcome(), verdict.detail());
  }

  @Test
  void theCoordinatorReadsNothingOutsideItsInputsDirectories() throws Exception {
    Path inputs = Files.createDirectory(dir.resolve("inputs"));
    Path outside = dir.resolve("outside.toml");
    INPUT.write(outside);
    Files.createSymbolicLink(inputs.resolve("link.toml"), outside);
    ReferenceProofVerifier confined = new ReferenceProofVerifier(List.of(inputs));
    byte[] proof = ReferenceProofs.prove(INPUT, 1).toByteArray();

    for (String path : List.of(outside.toString(), "../outside.toml", "link.toml")) {
      ProofVerdict verdict = confined.verify(path, proof);

      assertEquals(Outcome.VERIFIER_FAILED, verdict.outcome(), path);
      assertEquals(
          "the reference verifier cannot read the job's input on the coordinator: input_path is"
              + " outside the coordinator's inputs directories",
          verdict.detail());
    }
    assertEquals(Outcome.VALID, verifier.verify(outside.toString(), proof).outcome());
  }
}
