package zisk.distributed.worker.prover.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import zisk.distributed.api.v1.Challenges;
import zisk.distributed.api.v1.ChallengesList;
import zisk.distributed.api.v1.FinalProofList;
import zisk.distributed.api.v1.Proof;
import zisk.distributed.api.v1.ProofList;
import zisk.distributed.api.v1.ProveParams;
import zisk.distributed.reference.InvalidProofException;
import zisk.distributed.reference.LaneProof;
import zisk.distributed.reference.LaneSplit;
import zisk.distributed.reference.ReferenceInput;
import zisk.distributed.reference.ReferenceVerifier;
import zisk.distributed.reference.VerificationResult;

class ReferenceProverBackendTest {

  private static final ReferenceInput INPUT =
      new ReferenceInput(8, 64, HexFormat.of().parseHex("5eed0001"));

  @TempDir Path dir;

  @ParameterizedTest(name = "allocation {0}")
  @ValueSource(strings = {"1", "2,2", "4,2,1"})
  void proofsFromAnyNumberOfRanksVerify(String allocation) throws Exception {
    int[] units = parse(allocation);
    INPUT.write(dir.resolve("input.toml"));
    JobFixture job = new JobFixture(dir.resolve("input.toml"), units);
    LaneSplit split = LaneSplit.of(INPUT.lanes(), IntStream.of(units).asLongStream().toArray());

    ProveParams contributions = job.contributeAll();
    ProofList partials = job.proveAll(contributions);
    FinalProofList proof = job.aggregate(partials);

    assertEquals(INPUT.lanes(), contributions.getChallengesCount());
    for (Challenges contribution : contributions.getChallengesList()) {
      assertEquals(split.rankOf(contribution.getAirgroupId()), contribution.getProverIndex());
    }
    assertEquals(INPUT.lanes(), partials.getProofsCount());
    VerificationResult result = ReferenceVerifier.verify(INPUT, proof);
    assertTrue(result.valid(), result.reason());
    assertEquals(INPUT.lanes() * LaneProof.OPENINGS, result.openingsChecked());
  }

  @Test
  void aRankWithoutLanesContributesAndProvesNothing() throws Exception {
    ReferenceInput twoLanes = new ReferenceInput(2, 16, new byte[] {7});
    twoLanes.write(dir.resolve("input.toml"));
    JobFixture job = new JobFixture(dir.resolve("input.toml"), 1, 1, 1);

    ChallengesList empty =
        job.rank(2).contribute(JobFixture.JOB_ID, job.contributionParams(2), job.input());
    ProveParams contributions =
        ProveParams.newBuilder()
            .addAllChallenges(
                job.rank(0)
                    .contribute(JobFixture.JOB_ID, job.contributionParams(0), job.input())
                    .getChallengesList())
            .addAllChallenges(
                job.rank(1)
                    .contribute(JobFixture.JOB_ID, job.contributionParams(1), job.input())
                    .getChallengesList())
            .build();
    ProofList none = job.rank(2).prove(JobFixture.JOB_ID, contributions);
    ProofList partials = job.proveAll(contributions);
    // The empty rank aggregates: it holds the input from its contribution.
    FinalProofList proof = job.aggregate(partials);

    assertEquals(0, empty.getChallengesCount());
    assertEquals(0, none.getProofsCount());
    assertTrue(ReferenceVerifier.verify(twoLanes, proof).valid());
  }

  @Test
  void aTamperedPartialProofMakesAggregateThrow() throws Exception {
    JobFixture job = jobOf(2, 2);
    ProofList partials = job.proveAll(job.contributeAll());

    for (int word : new int[] {1, 5, 20, 200, partials.getProofs(5).getValuesCount() - 1}) {
      Proof original = partials.getProofs(5);
      Proof tampered =
          original.toBuilder()
              .setValues(word, original.getValues(word) ^ (1L << (word % 64)))
              .build();
      ProofList bad = partials.toBuilder().setProofs(5, tampered).build();

      InvalidProofException e =
          assertThrows(InvalidProofException.class, () -> job.aggregate(bad), "word " + word);
      assertTrue(e.getMessage().contains("lane 5"), e.getMessage());
    }
  }

  @Test
  void missingLanesAndLanesFromTheWrongRankMakeAggregateThrow() throws Exception {
    JobFixture job = jobOf(2, 2);
    ProofList partials = job.proveAll(job.contributeAll());
    ProofList missing = partials.toBuilder().removeProofs(3).build();
    ProofList wrongRank =
        partials.toBuilder()
            .setProofs(0, partials.getProofs(0).toBuilder().setProverIndex(1))
            .build();
    ProofList duplicate = partials.toBuilder().addProofs(partials.getProofs(0)).build();

    assertTrue(
        assertThrows(InvalidProofException.class, () -> job.aggregate(missing))
            .getMessage()
            .contains("no partial proof for lanes [3]"));
    assertTrue(
        assertThrows(InvalidProofException.class, () -> job.aggregate(wrongRank))
            .getMessage()
            .contains("belongs to rank 0"));
    assertTrue(
        assertThrows(InvalidProofException.class, () -> job.aggregate(duplicate))
            .getMessage()
            .contains("two partial proofs for lane 0"));
  }

  @Test
  void proveRejectsContributionsThatDoNotFitTheJob() throws Exception {
    JobFixture job = jobOf(2, 2);
    ProveParams contributions = job.contributeAll();
    Challenges lane0 = contributions.getChallenges(0);
    ProveParams changed =
        contributions.toBuilder()
            .setChallenges(0, lane0.toBuilder().setChallenge(1, lane0.getChallenge(1) ^ 1))
            .build();
    ProveParams missing = contributions.toBuilder().removeChallenges(7).build();

    assertTrue(
        assertThrows(
                InvalidProofException.class, () -> job.rank(0).prove(JobFixture.JOB_ID, changed))
            .getMessage()
            .contains("not the one this rank made"));
    assertTrue(
        assertThrows(
                InvalidProofException.class, () -> job.rank(0).prove(JobFixture.JOB_ID, missing))
            .getMessage()
            .contains("no contribution for lanes [7]"));
  }

  @Test
  void releaseDropsTheJob() throws Exception {
    JobFixture job = jobOf(1);
    ProveParams contributions = job.contributeAll();

    job.rank(0).release(JobFixture.JOB_ID);

    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> job.rank(0).prove(JobFixture.JOB_ID, contributions));
    assertTrue(e.getMessage().contains("PARTIAL_CONTRIBUTION"), e.getMessage());
  }

  @Test
  void contributeRejectsARankOutsideTheJob() throws Exception {
    JobFixture job = jobOf(1, 1);
    var params = job.contributionParams(0).toBuilder().setRankId(2).build();

    assertThrows(
        IllegalArgumentException.class,
        () -> job.rank(0).contribute(JobFixture.JOB_ID, params, job.input()));
  }

  @Test
  void contributeStopsPromptlyWhenInterrupted() throws Exception {
    // 64 lanes of a million steps: seconds of work and gigabytes of memory if the interruption
    // were ignored, and then the outcome would not be an InterruptedException.
    new ReferenceInput(64, 1 << 20, new byte[] {1}).write(dir.resolve("big.toml"));
    JobFixture job = new JobFixture(dir.resolve("big.toml"), 1);
    AtomicReference<Throwable> outcome = new AtomicReference<>();
    CountDownLatch started = new CountDownLatch(1);
    Thread task =
        new Thread(
            () -> {
              started.countDown();
              try {
                job.rank(0).contribute(JobFixture.JOB_ID, job.contributionParams(0), job.input());
                outcome.set(new AssertionError("contribute finished instead of stopping"));
              } catch (Throwable t) {
                outcome.set(t);
              }
            });

    task.setDaemon(true);
    task.start();
    started.await();
    task.interrupt();
    task.join(Duration.ofSeconds(10).toMillis());

    assertFalse(task.isAlive(), "contribute still running 10 s after the interrupt");
    assertInstanceOf(InterruptedException.class, outcome.get());
  }

  @Test
  void phaseDelayComesFromTheEnvironmentAndIsOffByDefault() {
    assertEquals(Duration.ZERO, ReferenceProverBackend.phaseDelay(java.util.Map.of()));
    assertEquals(
        Duration.ofMillis(750),
        ReferenceProverBackend.phaseDelay(
            java.util.Map.of(ReferenceProverBackend.PHASE_DELAY_ENV, " 750 ")));
    for (String bad : new String[] {"-1", "soon", "1.5"}) {
      assertThrows(
          IllegalArgumentException.class,
          () ->
              ReferenceProverBackend.phaseDelay(
                  java.util.Map.of(ReferenceProverBackend.PHASE_DELAY_ENV, bad)));
    }
  }

  @Test
  void aPhaseDelayIsInterruptible() throws Exception {
    ReferenceProverBackend slow = new ReferenceProverBackend(Duration.ofMinutes(5));
    AtomicReference<Throwable> outcome = new AtomicReference<>();
    Thread task =
        new Thread(
            () -> {
              try {
                slow.prove(JobFixture.JOB_ID, ProveParams.getDefaultInstance());
                outcome.set(new AssertionError("prove finished instead of stopping"));
              } catch (Throwable t) {
                outcome.set(t);
              }
            });

    task.setDaemon(true);
    task.start();
    task.interrupt();
    task.join(Duration.ofSeconds(10).toMillis());

    assertFalse(task.isAlive(), "prove still sleeping 10 s after the interrupt");
    assertInstanceOf(InterruptedException.class, outcome.get());
  }

  private JobFixture jobOf(int... allocation) throws Exception {
    INPUT.write(dir.resolve("input.toml"));
    return new JobFixture(dir.resolve("input.toml"), allocation);
  }

  private static int[] parse(String allocation) {
    return java.util.Arrays.stream(allocation.split(",")).mapToInt(Integer::parseInt).toArray();
  }
}
