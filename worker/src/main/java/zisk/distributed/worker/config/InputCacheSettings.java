package zisk.distributed.worker.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import zisk.distributed.common.config.ConfigKey;
import zisk.distributed.common.config.LayeredConfig;

/**
 * Where uploaded inputs (ContributionParams.input_id) are kept once fetched ({@code [inputs]}).
 *
 * @param dir the cache directory
 * @param maxBytes most bytes kept; least recently used inputs are evicted beyond
 */
public record InputCacheSettings(Path dir, long maxBytes) {

  public static final long DEFAULT_MAX_BYTES = 10L << 30;

  public static final ConfigKey CACHE_DIR =
      new ConfigKey(
          "inputs.cache_dir",
          "DISTRIBUTED_INPUTS_CACHE_DIR",
          "Directory uploaded inputs are fetched into from the coordinator; default"
              + " ~/.zisk/worker/input-cache.");

  public static final ConfigKey CACHE_MAX_BYTES =
      new ConfigKey(
          "inputs.cache_max_bytes",
          "DISTRIBUTED_INPUTS_CACHE_MAX_BYTES",
          "Most bytes kept in inputs.cache_dir; least recently used inputs are deleted beyond"
              + " (default 10737418240, 10 GiB).");

  public static final List<ConfigKey> KEYS = List.of(CACHE_DIR, CACHE_MAX_BYTES);

  public static final InputCacheSettings DEFAULT =
      new InputCacheSettings(
          Path.of(System.getProperty("user.home"), ".zisk", "worker", "input-cache"),
          DEFAULT_MAX_BYTES);

  static InputCacheSettings load(LayeredConfig config) {
    Path dir =
        config.get(CACHE_DIR.fileKey()).map(value -> Path.of(value.text())).orElse(DEFAULT.dir());
    long maxBytes = DEFAULT_MAX_BYTES;
    Optional<LayeredConfig.Value> value = config.get(CACHE_MAX_BYTES.fileKey());
    if (value.isPresent()) {
      try {
        maxBytes = Long.parseLong(value.get().text().strip());
      } catch (NumberFormatException e) {
        throw LayeredConfig.invalid(CACHE_MAX_BYTES.fileKey(), value.get(), "not a whole number");
      }
      if (maxBytes < 1) {
        throw LayeredConfig.invalid(CACHE_MAX_BYTES.fileKey(), value.get(), "must be at least 1");
      }
    }
    return new InputCacheSettings(dir, maxBytes);
  }
}
