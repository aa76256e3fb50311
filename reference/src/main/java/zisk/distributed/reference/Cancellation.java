package zisk.distributed.reference;

/** Lets long loops stop promptly when the worker interrupts the task's thread. */
final class Cancellation {

  /** Hashes between two checks: a few microseconds of work, so a cancelled task stops at once. */
  static final int CHECK_EVERY = 4096;

  private Cancellation() {}

  /** Throws when the current thread was interrupted; call it every {@link #CHECK_EVERY} hashes. */
  static void checkpoint() throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException("reference prover task interrupted");
    }
  }

  /** {@link #checkpoint()} once every {@link #CHECK_EVERY} iterations of a loop counter. */
  static void checkpoint(long iteration) throws InterruptedException {
    if (iteration % CHECK_EVERY == 0) {
      checkpoint();
    }
  }
}
