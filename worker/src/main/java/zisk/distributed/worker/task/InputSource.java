package zisk.distributed.worker.task;

import io.grpc.Channel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import zisk.distributed.api.v1.ContributionParams;
import zisk.distributed.common.inputs.InputFile;
import zisk.distributed.common.inputs.InputFiles;
import zisk.distributed.common.inputs.InputRefusedException;
import zisk.distributed.worker.inputs.InputCache;

/**
 * Where a contribution task's input comes from: its {@code input_path} inside the inputs
 * directories, or its {@code input_id} fetched into the input cache from the coordinator that sent
 * the task; either way the file is read under the rules of {@link InputFiles} (the cache directory
 * is one such directory).
 */
public final class InputSource {

  private final InputFiles files;
  private final InputCache cache;
  private final InputFiles cached;
  private volatile Channel coordinator;

  private InputSource(InputFiles files, InputCache cache) {
    this.files = files;
    this.cache = cache;
    this.cached = cache == null ? null : new InputFiles(List.of(cache.dir()), files.maxBytes());
  }

  /** Inputs from the inputs directories only: a task with an input_id fails. */
  public static InputSource files(InputFiles files) {
    return new InputSource(files, null);
  }

  public static InputSource withCache(InputFiles files, InputCache cache) {
    return new InputSource(files, cache);
  }

  /** The channel of the coordinator whose tasks arrive now: uploaded inputs are fetched there. */
  public void coordinator(Channel channel) {
    this.coordinator = channel;
  }

  InputFiles files() {
    return files;
  }

  InputFile open(ContributionParams params) throws Exception {
    if (params.getInputId().isEmpty()) {
      return files.open(params.getInputPath());
    }
    if (!params.getInputPath().isEmpty()) {
      throw new IllegalArgumentException("task names both input_path and input_id");
    }
    Channel channel = coordinator;
    if (cache == null || channel == null) {
      throw new IOException("this worker cannot fetch uploaded inputs (no input cache)");
    }
    Path local;
    try {
      local = cache.fetch(params.getInputId(), channel, files.maxBytes());
    } catch (IOException e) {
      throw new IOException("could not fetch the task's input: " + e.getMessage(), e);
    }
    // Here, not in each backend: no backend can forget the confinement.
    try {
      return cached.open(local.toString());
    } catch (InputRefusedException e) {
      throw new IOException("the cached input could not be read: " + e.getMessage(), e);
    }
  }
}
