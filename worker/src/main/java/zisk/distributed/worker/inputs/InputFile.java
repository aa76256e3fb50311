package zisk.distributed.worker.inputs;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A task's input, found inside the worker's inputs directories and read from the very file that was
 * checked (see {@link InputFiles}).
 */
public final class InputFile {

  private final Path path;
  private final byte[] content;

  /**
   * @param path the file's real path (for a backend that hands a path to another program)
   * @param content the file's bytes; kept, not copied
   */
  public InputFile(Path path, byte[] content) {
    this.path = path;
    this.content = content;
  }

  /** The file's real path, inside an inputs directory. */
  public Path path() {
    return path;
  }

  /** The file's bytes, read-only (at most {@code prover.max_input_bytes}). */
  public ByteBuffer content() {
    return ByteBuffer.wrap(content).asReadOnlyBuffer();
  }

  public int size() {
    return content.length;
  }

  @Override
  public String toString() {
    return "InputFile[" + path + ", " + content.length + " bytes]";
  }
}
