package zisk.distributed.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import zisk.distributed.api.v1.FinalProof;
import zisk.distributed.api.v1.FinalProofList;
import zisk.distributed.api.v1.ProofList;

class ReferenceVerifierTest {

  private static final ReferenceInput INPUT =
      new ReferenceInput(2, 8, HexFormat.of().parseHex("c0ffee"));

  private FinalProofList proof;

  @BeforeEach
  void proveTheInput() throws Exception {
    proof = ReferenceProofs.prove(INPUT, 2, 1);
  }

  @Test
  void acceptsAnHonestProof() {
    VerificationResult result = ReferenceVerifier.verify(INPUT, proof);

    assertTrue(result.valid(), result.reason());
    assertEquals(
        "proof OK: 2 lanes, 8 steps per lane, 132 Merkle openings checked", result.summary());
  }

  @Test
  void rejectsAFlippedBitInEveryWord() {
    int words = values().size();
    for (int word = 0; word < words; word++) {
      int bit = (word * 7) % 64;
      assertInvalid(withValue(word, values().get(word) ^ (1L << bit)), "word " + word);
    }
  }

  @Test
  void rejectsEveryFlippedBitOfAnOpenedStateAndPath() {
    // Words 40 to 60 lie inside lane 0's openings (state and Merkle path words).
    for (int word = 40; word < 60; word++) {
      for (int bit = 0; bit < 64; bit++) {
        assertInvalid(withValue(word, values().get(word) ^ (1L << bit)), word + "/" + bit);
      }
    }
  }

  @Test
  void rejectsAWrongOutput() throws Exception {
    ReferenceFinalProof decoded = ReferenceFinalProof.fromProto(proof);
    LaneProof lane1 = decoded.laneProofs().get(1);
    byte[] wrong = lane1.finalState();
    wrong[0] ^= 1;
    List<LaneProof> lanes =
        List.of(
            decoded.laneProofs().get(0),
            new LaneProof(1, lane1.root(), wrong, lane1.first(), lane1.last(), lane1.steps()));
    byte[] recomputed =
        FiatShamir.challenge(
            INPUT, LaneSplit.of(2, decoded.weights()), LaneProof.commitments(lanes));

    // With the old challenge the commitments no longer match it; with a recomputed one the
    // challenged steps are no longer the opened ones.
    for (byte[] challenge : List.of(decoded.challenge(), recomputed)) {
      ReferenceFinalProof forged =
          new ReferenceFinalProof(
              decoded.lanes(),
              decoded.steps(),
              decoded.seedHash(),
              decoded.openingsPerLane(),
              decoded.weights(),
              challenge,
              lanes);
      assertInvalid(forged.toProto(), "wrong output");
    }
  }

  @Test
  void catchesAProverThatCommitsToAFakeOutput() throws Exception {
    // A cheating prover: a consistent tree whose last state is made up, so its last step breaks.
    byte[] states = HashChain.states(INPUT.seed(), 1, (int) INPUT.steps());
    states[states.length - 1] ^= 1;
    List<LaneWitness> witnesses =
        List.of(LaneWitness.compute(INPUT, 0), LaneWitness.fromStates(1, states));
    LaneSplit split = LaneSplit.of(2, new long[] {1});
    byte[] challenge =
        FiatShamir.challenge(
            INPUT, split, witnesses.stream().map(LaneWitness::commitment).toList());
    List<LaneProof> lanes = new ArrayList<>();
    ProofList.Builder partials = ProofList.newBuilder();
    for (LaneWitness witness : witnesses) {
      lanes.add(witness.prove(challenge));
      partials.addProofs(witness.prove(challenge).toProto(0));
    }
    FinalProofList forged =
        new ReferenceFinalProof(
                2,
                INPUT.steps(),
                INPUT.seedHash(),
                FiatShamir.OPENINGS_PER_LANE,
                split.weights(),
                challenge,
                lanes)
            .toProto();

    // With 8 steps, 32 draws miss the broken step with probability (7/8)^32, about 1.4%; this
    // seed's challenge hits it (the test is deterministic).
    String reason = assertInvalid(forged, "fake output");
    assertTrue(reason.contains("state 8 is not SHA-256 of state 7"), reason);
    assertTrue(
        org.junit.jupiter.api.Assertions.assertThrows(
                InvalidProofException.class,
                () -> ReferenceAggregator.aggregate(INPUT, split, partials.build()))
            .getMessage()
            .contains("lane 1"));
  }

  @Test
  void rejectsAProofForAnotherInput() {
    for (ReferenceInput other :
        List.of(
            new ReferenceInput(2, 8, HexFormat.of().parseHex("c0ffef")),
            new ReferenceInput(2, 9, INPUT.seed()),
            new ReferenceInput(3, 8, INPUT.seed()))) {
      String reason = assertInvalid(ReferenceVerifier.verify(other, proof), other.toString());
      assertTrue(reason.contains("another input"), reason);
    }
  }

  @Test
  void rejectsTruncatedValues() {
    List<Long> all = values();
    for (int keep : new int[] {0, 1, 2, 10, all.size() / 2, all.size() - 1}) {
      assertInvalid(withValues(all.subList(0, keep)), "first " + keep + " words");
    }
    List<Long> middleGone = new ArrayList<>(all);
    middleGone.remove(all.size() / 2);
    assertInvalid(withValues(middleGone), "a word removed");
    List<Long> extra = new ArrayList<>(all);
    extra.add(0L);
    assertInvalid(withValues(extra), "a word added");
  }

  @Test
  void rejectsEmptyProofs() {
    assertInvalid(FinalProofList.getDefaultInstance(), "no final proof");
    assertInvalid(withValues(List.of()), "no words");
    assertInvalid(proof.toBuilder().addFinalProofs(proof.getFinalProofs(0)).build(), "two");
  }

  @Test
  void rejectsGarbage() {
    Random random = new Random(1);
    for (int trial = 0; trial < 20; trial++) {
      List<Long> garbage = new ArrayList<>();
      if (trial % 2 == 0) {
        garbage.addAll(values().subList(0, 4)); // a plausible header, then noise
      }
      random.longs(1 + random.nextInt(500)).forEach(garbage::add);
      assertInvalid(withValues(garbage), "garbage " + trial);
    }
  }

  @Test
  void checksSerializedProofsAsProversSendThem() {
    assertTrue(ReferenceVerifier.verify(INPUT, proof.toByteArray()).valid());
    assertInvalid(
        ReferenceVerifier.verify(INPUT, new byte[] {10, 4, 10, 2, 8, 1}), "a forged 6-byte proof");
    assertEquals(
        "the proof is not a FinalProofList protobuf",
        assertInvalid(ReferenceVerifier.verify(INPUT, new byte[] {(byte) 0xff}), "not protobuf"));
  }

  private List<Long> values() {
    return proof.getFinalProofs(0).getValuesList();
  }

  private FinalProofList withValue(int index, long value) {
    List<Long> changed = new ArrayList<>(values());
    changed.set(index, value);
    return withValues(changed);
  }

  private static FinalProofList withValues(List<Long> values) {
    return FinalProofList.newBuilder()
        .addFinalProofs(FinalProof.newBuilder().addAllValues(values))
        .build();
  }

  private static String assertInvalid(FinalProofList candidate, String what) {
    return assertInvalid(ReferenceVerifier.verify(INPUT, candidate), what);
  }

  private static String assertInvalid(VerificationResult result, String what) {
    assertFalse(result.valid(), what + " was accepted");
    assertFalse(result.reason().isEmpty(), what);
    return result.reason();
  }
}
