package zisk.distributed.coordinator.config;

import java.time.Duration;
import java.util.Optional;
import zisk.distributed.common.config.ConfigKey;
import zisk.distributed.common.config.LayeredConfig;

/**
 * Inputs uploaded with UploadInput and kept in the database ({@code [inputs]}).
 *
 * @param maxSizeBytes the largest input accepted
 * @param retention how long an input no unfinished job needs is kept after its last use (upload or
 *     launch)
 */
public record InputStorage(long maxSizeBytes, Duration retention) {

  /** Largest {@code inputs.max_size_bytes}: 64 GiB. */
  public static final long MAX_SIZE_LIMIT = 64L << 30;

  public static final InputStorage DEFAULT = new InputStorage(1L << 30, Duration.ofHours(24));

  public static final ConfigKey MAX_SIZE =
      new ConfigKey(
          "inputs.max_size_bytes",
          "DISTRIBUTED_INPUTS_MAX_SIZE_BYTES",
          "largest input UploadInput accepts (default 1073741824, 1 GiB)");

  public static final ConfigKey RETENTION =
      new ConfigKey(
          "inputs.retention_hours",
          "DISTRIBUTED_INPUTS_RETENTION_HOURS",
          "how long an uploaded input no QUEUED or RUNNING job needs is kept after its last upload"
              + " or launch (default 24)");

  public InputStorage {
    if (maxSizeBytes < 1 || maxSizeBytes > MAX_SIZE_LIMIT) {
      throw new IllegalArgumentException("maxSizeBytes out of range: " + maxSizeBytes);
    }
    if (retention.isNegative()) {
      throw new IllegalArgumentException("negative retention");
    }
  }

  static InputStorage resolve(LayeredConfig config) {
    long maxSize = DEFAULT.maxSizeBytes();
    Optional<LayeredConfig.Value> value = config.get(MAX_SIZE.fileKey());
    if (value.isPresent()) {
      try {
        maxSize = Long.parseLong(value.get().text().strip());
      } catch (NumberFormatException e) {
        throw LayeredConfig.invalid(MAX_SIZE.fileKey(), value.get(), "not a whole number");
      }
      if (maxSize < 1 || maxSize > MAX_SIZE_LIMIT) {
        throw LayeredConfig.invalid(
            MAX_SIZE.fileKey(), value.get(), "must be between 1 and " + MAX_SIZE_LIMIT);
      }
    }
    return new InputStorage(
        maxSize,
        Duration.ofHours(
            config.integer(RETENTION.fileKey(), (int) DEFAULT.retention().toHours(), 1, 100_000)));
  }
}
