package zisk.distributed.coordinator.store;

/**
 * Row-count checks for transitions that assume one row: 0 rows means the state moved on (a stale or
 * duplicate message, answered as such); more than one is a bug and stops the transaction.
 */
public final class Rows {

  private Rows() {}

  /** True when exactly one row changed, false when none did; throws when more did. */
  public static boolean one(int changed, String what) {
    if (changed > 1) {
      throw new IllegalStateException(
          what + " changed " + changed + " rows; exactly one was expected");
    }
    return changed == 1;
  }

  /**
   * Exactly one row must change: anything else is a bug (the caller holds the locks that make it
   * so).
   */
  public static void exactlyOne(int changed, String what) {
    if (changed != 1) {
      throw new IllegalStateException(
          what + " changed " + changed + " rows; exactly one was expected");
    }
  }
}
