package zisk.distributed.common.inputs;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A task's input, found inside the inputs directories and read from the very file that was checked
 * (see {@link InputFiles}).
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

  /**
   * The file's bytes, read-only (at most the size limit of the {@link InputFiles} that read it).
   */
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
