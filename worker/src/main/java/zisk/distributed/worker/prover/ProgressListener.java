package zisk.distributed.worker.prover;

/**
 * Hears how far a backend's running phase has come. The worker relays it to the coordinator as
 * {@code ProverMessage.progress} for the task that runs for that job (rate-limited there), and
 * drops it when no task of that job runs. Called on any thread; must not block.
 */
@FunctionalInterface
public interface ProgressListener {

  ProgressListener NONE = (jobId, fraction, text) -> {};

  /**
   * @param jobId the job whose phase runs
   * @param fraction from 0 to 1
   * @param text a short note for people, for example "witness 3/8"
   */
  void progress(String jobId, double fraction, String text);
}
