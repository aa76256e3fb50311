package zisk.distributed.worker.prover.reference;

import java.util.List;
import zisk.distributed.reference.LaneCommitment;
import zisk.distributed.reference.LaneSplit;
import zisk.distributed.reference.LaneWitness;
import zisk.distributed.reference.ReferenceInput;

/**
 * What one rank keeps of a job between phases: the input, the lane split, its rank, the witnesses
 * of its own lanes (in lane order) and, once it has run PROVE, every lane's contribution.
 *
 * @param contributed every lane's contribution in lane order; null before PROVE
 */
record ReferenceJob(
    ReferenceInput input,
    LaneSplit split,
    int rank,
    List<LaneWitness> lanes,
    List<LaneCommitment> contributed) {

  /** This job after PROVE, remembering the contributions it was given. */
  ReferenceJob proved(List<LaneCommitment> byLane) {
    return new ReferenceJob(input, split, rank, lanes, List.copyOf(byLane));
  }
}
