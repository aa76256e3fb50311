package zisk.distributed.coordinator.health;

/** Told when a request finds the database unreachable, so health reporting can follow at once. */
public interface DatabaseAvailability {
  void reportFailure(Throwable error);
}
