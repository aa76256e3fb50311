package zisk.distributed.coordinator.verification;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
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

  private final ReferenceProofVerifier verifier = new ReferenceProofVerifier();

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
}
