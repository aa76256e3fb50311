package zisk.distributed.bench;

/**
 * The bench could not run (a database, coordinator or section failure): its message is printed and
 * the exit code is 1.
 */
final class BenchException extends RuntimeException {

  BenchException(String message) {
    super(message);
  }

  BenchException(String message, Throwable cause) {
    super(message, cause);
  }
}
