package zisk.distributed.worker.prover.nativeprover;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The prover's stdout one line at a time, as an input stream that ends at the line's {@code \n}: a
 * JSON parser reading it can never run into the next message, and a line of any length (a proof of
 * hundreds of MB) is streamed through one small buffer, never held whole. The first bytes of the
 * current line are kept so that an error can quote a line that is not protocol.
 */
final class LineInput extends InputStream {

  private final InputStream in;
  private final byte[] buffer = new byte[64 * 1024];
  private int position;
  private int limit;
  private final byte[] head;
  private final byte[] one = new byte[1];
  private int headLength;
  private long lineLength;
  private boolean lineEnded = true;
  private boolean newline;
  private boolean streamEnded;

  /**
   * @param in the raw stream
   * @param headBytes how many bytes of each line are kept for quoting or logging
   */
  LineInput(InputStream in, int headBytes) {
    this.in = in;
    this.head = new byte[headBytes];
  }

  /**
   * Moves to the next line, skipping what is left of the current one.
   *
   * @return false when stdout closed before another byte came
   */
  boolean nextLine() throws IOException {
    while (!lineEnded) {
      skip(Long.MAX_VALUE);
    }
    headLength = 0;
    lineLength = 0;
    newline = false;
    if (!fill()) {
      return false;
    }
    lineEnded = false;
    return true;
  }

  /** True when the current line ended with {@code \n}, not with the end of stdout. */
  boolean endedWithNewline() {
    return newline;
  }

  /** Bytes of the current line read so far, without the {@code \n}. */
  long length() {
    return lineLength;
  }

  /** The first bytes of the current line as text, for an error message (to be cleaned). */
  String head() {
    String text = new String(head, 0, headLength, StandardCharsets.UTF_8);
    return lineLength > headLength ? text + "…" : text;
  }

  @Override
  public int read() throws IOException {
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] into, int offset, int length) throws IOException {
    if (length == 0) {
      return 0;
    }
    if (lineEnded || !fill()) {
      lineEnded = true;
      return -1;
    }
    int end = Math.min(limit, position + length);
    int n = 0;
    for (int i = position; i < end; i++) {
      if (buffer[i] == '\n') {
        lineEnded = true;
        newline = true;
        break;
      }
      n++;
    }
    System.arraycopy(buffer, position, into, offset, n);
    keep(buffer, position, n);
    position += n + (newline && lineEnded ? 1 : 0);
    if (n == 0) {
      return -1;
    }
    return n;
  }

  @Override
  public long skip(long count) throws IOException {
    byte[] scratch = new byte[8192];
    long skipped = 0;
    while (skipped < count) {
      int n = read(scratch, 0, (int) Math.min(scratch.length, count - skipped));
      if (n < 0) {
        break;
      }
      skipped += n;
    }
    return skipped;
  }

  /** True when a byte is buffered, reading more when needed; false at the end of stdout. */
  private boolean fill() throws IOException {
    if (position < limit) {
      return true;
    }
    if (streamEnded) {
      return false;
    }
    int n = in.read(buffer, 0, buffer.length);
    if (n < 0) {
      streamEnded = true;
      return false;
    }
    position = 0;
    limit = n;
    return true;
  }

  private void keep(byte[] bytes, int from, int count) {
    int room = Math.min(count, head.length - headLength);
    if (room > 0) {
      System.arraycopy(bytes, from, head, headLength, room);
      headLength += room;
    }
    lineLength += count;
  }
}
