package zisk.distributed.reference;

import com.google.protobuf.InvalidProtocolBufferException;
import java.util.Arrays;
import java.util.HexFormat;
import zisk.distributed.api.v1.FinalProofList;

/**
 * Checks a final proof against its input, and nothing else: no state from the job, no trust in the
 * provers.
 *
 * <p>It accepts only when the proof names this input (lanes, steps, SHA-256 of the seed), uses
 * {@code q} = {@value FiatShamir#OPENINGS_PER_LANE}, carries the challenge that its own commitments
 * and rank weights give, and every lane's openings check (see {@link ReferenceAggregator} and the
 * package documentation for what that establishes).
 */
public final class ReferenceVerifier {

  private ReferenceVerifier() {}

  /**
   * Verifies a serialized {@code FinalProofList} (as a prover sends it and the coordinator stores
   * it) for {@code input}; never throws for a bad proof.
   */
  public static VerificationResult verify(ReferenceInput input, byte[] serializedProof) {
    FinalProofList proof;
    try {
      proof = FinalProofList.parseFrom(serializedProof);
    } catch (InvalidProtocolBufferException e) {
      return VerificationResult.invalid("the proof is not a FinalProofList protobuf");
    }
    return verify(input, proof);
  }

  /** Verifies {@code proof} for {@code input}; never throws for a bad proof. */
  public static VerificationResult verify(ReferenceInput input, FinalProofList proof) {
    try {
      ReferenceFinalProof decoded = ReferenceFinalProof.fromProto(proof);
      checkStatement(input, decoded);
      LaneSplit split = splitOf(decoded);
      if (decoded.laneProofs().size() != input.lanes()) {
        throw new InvalidProofException(
            "has " + decoded.laneProofs().size() + " lane proofs for " + input.lanes() + " lanes");
      }
      for (int lane = 0; lane < input.lanes(); lane++) {
        if (decoded.laneProofs().get(lane).lane() != lane) {
          throw new InvalidProofException(
              "lane proof "
                  + lane
                  + " claims to prove lane "
                  + decoded.laneProofs().get(lane).lane());
        }
      }
      byte[] challenge =
          FiatShamir.challenge(input, split, LaneProof.commitments(decoded.laneProofs()));
      if (!Arrays.equals(challenge, decoded.challenge())) {
        throw new InvalidProofException("the challenge does not match the lanes' commitments");
      }
      LaneProof.checkAll(input, split, decoded.laneProofs(), challenge);
      return VerificationResult.valid(
          input.lanes(), input.steps(), input.lanes() * LaneProof.OPENINGS);
    } catch (InvalidProofException e) {
      return VerificationResult.invalid(e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return VerificationResult.invalid("verification interrupted");
    }
  }

  private static void checkStatement(ReferenceInput input, ReferenceFinalProof proof)
      throws InvalidProofException {
    if (proof.lanes() != input.lanes()
        || proof.steps() != input.steps()
        || !Arrays.equals(proof.seedHash(), input.seedHash())) {
      HexFormat hex = HexFormat.of();
      throw new InvalidProofException(
          "the proof is for another input: it proves lanes="
              + proof.lanes()
              + ", steps="
              + proof.steps()
              + ", seed hash="
              + hex.formatHex(proof.seedHash())
              + "; the input has lanes="
              + input.lanes()
              + ", steps="
              + input.steps()
              + ", seed hash="
              + hex.formatHex(input.seedHash()));
    }
    if (proof.openingsPerLane() != FiatShamir.OPENINGS_PER_LANE) {
      throw new InvalidProofException(
          "the proof opens "
              + proof.openingsPerLane()
              + " steps per lane; this verifier requires "
              + FiatShamir.OPENINGS_PER_LANE);
    }
  }

  private static LaneSplit splitOf(ReferenceFinalProof proof) throws InvalidProofException {
    try {
      return LaneSplit.of(proof.lanes(), proof.weights());
    } catch (IllegalArgumentException e) {
      throw new InvalidProofException("bad rank weights: " + e.getMessage());
    }
  }
}
