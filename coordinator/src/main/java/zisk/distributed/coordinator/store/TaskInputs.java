package zisk.distributed.coordinator.store;

import java.util.List;

/**
 * What a task's request is built from. The transition that writes a task usually has them at hand
 * (the job it just started, the results it just counted), so sending costs no extra read.
 */
public sealed interface TaskInputs {

  /**
   * A contribution task: the job's input and every rank's share of its compute units.
   *
   * @param inputPath empty when the job reads an uploaded input
   * @param inputId the uploaded input; null for a job launched with an input_path
   */
  record Contribution(
      String blockId,
      String inputPath,
      int computeCapacity,
      List<Integer> allocation,
      String inputId)
      implements TaskInputs {}

  /** A PROVE or AGGREGATE task: the previous phase's results, in rank order. */
  record PreviousResults(List<byte[]> results) implements TaskInputs {}
}
