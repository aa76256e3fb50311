package zisk.distributed.coordinator.scheduling;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import zisk.distributed.coordinator.store.InputDao;
import zisk.distributed.coordinator.store.Store;

/**
 * Writes an uploaded input to a file for the proof verifiers, which read inputs from files: chunk
 * by chunk into a private directory of this coordinator (given to the verifiers as one of their
 * inputs directories), deleted once the verdict is in.
 */
public final class InputSpool {

  private final Store store;
  private final Path dir;

  /**
   * @param dir a directory only this coordinator writes to
   */
  public InputSpool(Store store, Path dir) {
    this.store = store;
    this.dir = dir;
  }

  /** A private directory under the system's temporary directory. */
  public static Path createDir() {
    try {
      Path dir = Files.createTempDirectory("zisk-coordinator-inputs-");
      dir.toFile().deleteOnExit();
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory for uploaded inputs", e);
    }
  }

  public Path dir() {
    return dir;
  }

  /** A spooled input, deleted on close. */
  public record Spooled(Path path) implements AutoCloseable {
    @Override
    public void close() {
      try {
        Files.deleteIfExists(path);
      } catch (IOException e) {
        // A leftover file in the coordinator's own temporary directory; nothing depends on it.
      }
    }
  }

  /** The input's bytes in a new file; empty when the input is not stored. */
  public Optional<Spooled> write(String inputId) throws IOException {
    Optional<InputDao.StoredInput> input = store.read(tx -> tx.inputs().find(inputId));
    if (input.isEmpty()) {
      return Optional.empty();
    }
    Spooled file = new Spooled(Files.createTempFile(dir, inputId + "-", ".input"));
    try (OutputStream out = Files.newOutputStream(file.path())) {
      int seq = -1;
      long written = 0;
      while (true) {
        int after = seq;
        Optional<InputDao.Chunk> chunk =
            store.read(tx -> tx.inputs().chunkAfter(input.get().uploadId(), after));
        if (chunk.isEmpty()) {
          break;
        }
        out.write(chunk.get().bytes());
        written += chunk.get().bytes().length;
        seq = chunk.get().seq();
      }
      if (written != input.get().sizeBytes()) {
        file.close();
        return Optional.empty();
      }
      return Optional.of(file);
    } catch (IOException | RuntimeException e) {
      file.close();
      throw e;
    }
  }
}
