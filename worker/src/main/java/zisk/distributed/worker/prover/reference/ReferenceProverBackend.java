package zisk.distributed.worker.prover.reference;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.IntStream;
import zisk.distributed.api.v1.AggParams;
import zisk.distributed.api.v1.Challenges;
import zisk.distributed.api.v1.ChallengesList;
import zisk.distributed.api.v1.ContributionParams;
import zisk.distributed.api.v1.FinalProofList;
import zisk.distributed.api.v1.ProofList;
import zisk.distributed.api.v1.ProveParams;
import zisk.distributed.common.inputs.InputFile;
import zisk.distributed.common.inputs.InputRefusedException;
import zisk.distributed.reference.FiatShamir;
import zisk.distributed.reference.InvalidProofException;
import zisk.distributed.reference.LaneCommitment;
import zisk.distributed.reference.LaneSplit;
import zisk.distributed.reference.LaneWitness;
import zisk.distributed.reference.ReferenceAggregator;
import zisk.distributed.reference.ReferenceInput;
import zisk.distributed.reference.ReferenceVerifier;
import zisk.distributed.worker.prover.ProgressListener;
import zisk.distributed.worker.prover.ProverBackend;

/**
 * The built-in prover: hash chains committed with Merkle trees and spot-checked by Fiat-Shamir
 * openings (see the package documentation for what it proves).
 *
 * <ul>
 *   <li>PARTIAL_CONTRIBUTION parses the input file (read by the worker, see {@link InputFile}),
 *       computes this rank's lanes ({@link LaneSplit}) and answers one {@link Challenges} per lane:
 *       its Merkle root and final state.
 *   <li>PROVE hashes every lane's contribution into the global challenge and answers one partial
 *       proof per own lane: the challenged steps, opened.
 *   <li>AGGREGATE checks every partial proof and answers the final proof, which {@link
 *       ReferenceVerifier} checks from the input alone.
 * </ul>
 *
 * <p>Each job's lanes stay in memory (about 64 bytes per step) from PARTIAL_CONTRIBUTION until
 * {@link #release(String)}. Jobs are independent; the phases of one job must not overlap.
 *
 * <p><b>Fault-drill knob.</b> {@value #PHASE_DELAY_ENV} (milliseconds, default 0) makes every phase
 * start with an interruptible sleep of that length, so that a fault-injection test can kill a
 * process while a short phase (PROVE, AGGREGATE: tens of milliseconds) is reliably in progress. It
 * changes no result; leave it unset in production.
 */
public final class ReferenceProverBackend implements ProverBackend {

  /** Environment variable of the per-phase delay, in milliseconds; unset or 0 for none. */
  public static final String PHASE_DELAY_ENV = "ZISK_REFERENCE_PHASE_DELAY_MS";

  private final ConcurrentMap<String, ReferenceJob> jobs = new ConcurrentHashMap<>();
  private final Duration phaseDelay;

  /** A backend with the phase delay of {@value #PHASE_DELAY_ENV} (none when unset). */
  public ReferenceProverBackend() {
    this(phaseDelay(System.getenv()));
  }

  /** A backend that sleeps {@code phaseDelay} at the start of every phase (a fault-drill knob). */
  public ReferenceProverBackend(Duration phaseDelay) {
    if (phaseDelay.isNegative()) {
      throw new IllegalArgumentException("the phase delay must not be negative, got " + phaseDelay);
    }
    this.phaseDelay = phaseDelay;
  }

  /**
   * The delay {@value #PHASE_DELAY_ENV} asks for; throws IllegalArgumentException when malformed.
   */
  static Duration phaseDelay(Map<String, String> env) {
    String text = env.getOrDefault(PHASE_DELAY_ENV, "").strip();
    if (text.isEmpty()) {
      return Duration.ZERO;
    }
    try {
      long millis = Long.parseLong(text);
      if (millis < 0) {
        throw new NumberFormatException("negative");
      }
      return Duration.ofMillis(millis);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          PHASE_DELAY_ENV + " must be a whole number of milliseconds >= 0, got '" + text + "'");
    }
  }

  private volatile ProgressListener progress = ProgressListener.NONE;

  @Override
  public void onProgress(ProgressListener listener) {
    progress = listener;
  }

  @Override
  public ChallengesList contribute(String jobId, ContributionParams params, InputFile file)
      throws InterruptedException, InputRefusedException {
    progress.progress(jobId, 0, "reading the input");
    drillDelay();
    // A repeated contribution replaces the old one: drop it first so both never share memory.
    jobs.remove(jobId);
    ReferenceInput input;
    try {
      input = ReferenceInput.parse(file.content(), "input_path");
    } catch (IllegalArgumentException e) {
      // Not the prover's fault: the launcher named a file that is no reference input.
      throw new InputRefusedException(e.getMessage());
    }
    LaneSplit split = splitOf(input, params);
    int rank = params.getRankId();
    List<LaneWitness> witnesses = new ArrayList<>(split.laneCount(rank));
    int lanes = split.laneCount(rank);
    for (int lane = split.firstLane(rank); lane < split.endLane(rank); lane++) {
      witnesses.add(LaneWitness.compute(input, lane));
      progress.progress(
          jobId, (double) witnesses.size() / lanes, "witness " + witnesses.size() + "/" + lanes);
    }
    jobs.put(jobId, new ReferenceJob(input, split, rank, List.copyOf(witnesses), null));
    ChallengesList.Builder answer = ChallengesList.newBuilder();
    for (LaneWitness witness : witnesses) {
      answer.addChallenges(witness.commitment().toProto(rank));
    }
    return answer.build();
  }

  @Override
  public ProofList prove(String jobId, ProveParams params)
      throws InvalidProofException, InterruptedException {
    progress.progress(jobId, 0, "checking the contributions");
    drillDelay();
    ReferenceJob job = require(jobId, "PROVE");
    List<LaneCommitment> byLane = commitmentsByLane(job, params.getChallengesList());
    for (LaneWitness witness : job.lanes()) {
      if (!witness.commitment().sameAs(byLane.get(witness.lane()))) {
        throw new InvalidProofException(
            "the contribution of lane "
                + witness.lane()
                + " in the PROVE task is not the one this rank made");
      }
    }
    byte[] challenge = FiatShamir.challenge(job.input(), job.split(), byLane);
    ProofList.Builder answer = ProofList.newBuilder();
    int proved = 0;
    for (LaneWitness witness : job.lanes()) {
      answer.addProofs(witness.prove(challenge).toProto(job.rank()));
      proved++;
      progress.progress(
          jobId,
          (double) proved / job.lanes().size(),
          "proof " + proved + "/" + job.lanes().size());
    }
    // Only this job's own task runs now, so replacing the entry cannot lose another update.
    jobs.replace(jobId, job, job.proved(byLane));
    return answer.build();
  }

  @Override
  public FinalProofList aggregate(String jobId, AggParams params)
      throws InvalidProofException, InterruptedException {
    progress.progress(jobId, 0, "aggregating");
    drillDelay();
    ReferenceJob job = require(jobId, "AGGREGATE");
    return ReferenceAggregator.aggregate(
        job.input(), job.split(), job.contributed(), params.getAggProofs());
  }

  @Override
  public void release(String jobId) {
    jobs.remove(jobId);
  }

  @Override
  public void close() {
    jobs.clear();
  }

  /** The fault-drill delay; a cancel interrupts it like any other phase work. */
  private void drillDelay() throws InterruptedException {
    if (!phaseDelay.isZero()) {
      Thread.sleep(phaseDelay.toMillis());
    }
  }

  private ReferenceJob require(String jobId, String phase) {
    ReferenceJob job = jobs.get(jobId);
    if (job == null) {
      throw new IllegalStateException(
          "job "
              + jobId
              + ": "
              + phase
              + " needs this prover's PARTIAL_CONTRIBUTION, which it does not hold"
              + " (never run here, released, or lost in a restart)");
    }
    return job;
  }

  /** The split from the task's allocation; an empty allocation means equal ranks. */
  private static LaneSplit splitOf(ReferenceInput input, ContributionParams params) {
    int ranks = params.getTotalProvers();
    if (ranks < 1) {
      throw new IllegalArgumentException("total_provers must be at least 1, got " + ranks);
    }
    if (params.getRankId() < 0 || params.getRankId() >= ranks) {
      throw new IllegalArgumentException(
          "rank_id "
              + Integer.toUnsignedString(params.getRankId())
              + " is not below total_provers "
              + ranks);
    }
    List<Integer> allocation = params.getProverAllocationList();
    if (allocation.isEmpty()) {
      allocation = Collections.nCopies(ranks, 1);
    }
    if (allocation.size() != ranks) {
      throw new IllegalArgumentException(
          "prover_allocation has " + allocation.size() + " entries for " + ranks + " provers");
    }
    return LaneSplit.of(input.lanes(), allocation);
  }

  /** Every lane's contribution, in lane order, after checking it came from the right rank. */
  private static List<LaneCommitment> commitmentsByLane(ReferenceJob job, List<Challenges> all)
      throws InvalidProofException {
    LaneCommitment[] byLane = new LaneCommitment[job.input().lanes()];
    for (Challenges contribution : all) {
      int lane = contribution.getAirgroupId();
      int rank = contribution.getProverIndex();
      if (lane < 0 || lane >= byLane.length) {
        throw new InvalidProofException(
            "rank "
                + rank
                + " contributed lane "
                + Integer.toUnsignedString(lane)
                + ", but the input has "
                + byLane.length
                + " lanes");
      }
      int owner = job.split().rankOf(lane);
      if (rank != owner) {
        throw new InvalidProofException(
            "rank " + rank + " contributed lane " + lane + ", which belongs to rank " + owner);
      }
      if (byLane[lane] != null) {
        throw new InvalidProofException("two contributions for lane " + lane);
      }
      try {
        byLane[lane] = LaneCommitment.fromProto(contribution);
      } catch (InvalidProofException e) {
        throw e.within("malformed contribution of lane " + lane + " from rank " + rank);
      }
    }
    int[] missing = IntStream.range(0, byLane.length).filter(l -> byLane[l] == null).toArray();
    if (missing.length > 0) {
      throw new InvalidProofException("no contribution for lanes " + Arrays.toString(missing));
    }
    return List.of(byLane);
  }
}
