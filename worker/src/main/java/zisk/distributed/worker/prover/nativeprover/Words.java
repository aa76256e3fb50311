package zisk.distributed.worker.prover.nativeprover;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.IntToLongFunction;
import java.util.function.LongConsumer;

/**
 * The contract's {@code values}: 64-bit words as little-endian bytes (then base64). These streams
 * turn words into bytes and bytes into words a buffer at a time, so that a proof of hundreds of MB
 * is never held as a byte array or a string besides its words.
 */
final class Words {

  static final int BYTES = Long.BYTES;

  private Words() {}

  /** The little-endian bytes of {@code count} words, read from {@code word}. */
  static InputStream bytesOf(int count, IntToLongFunction word) {
    return new InputStream() {
      private long offset;
      private final long total = (long) count * BYTES;

      @Override
      public int read() {
        if (offset >= total) {
          return -1;
        }
        int b = (int) (word.applyAsLong((int) (offset / BYTES)) >>> (8 * (offset % BYTES))) & 0xff;
        offset++;
        return b;
      }

      @Override
      public int read(byte[] into, int from, int length) {
        if (offset >= total) {
          return -1;
        }
        int n = (int) Math.min(length, total - offset);
        for (int i = 0; i < n; i++) {
          long at = offset + i;
          into[from + i] = (byte) (word.applyAsLong((int) (at / BYTES)) >>> (8 * (at % BYTES)));
        }
        offset += n;
        return n;
      }
    };
  }

  /** A sink of little-endian bytes that hands each whole word to {@code words}. */
  static final class Sink extends OutputStream {
    private final LongConsumer words;
    private long partial;
    private int partialBytes;
    private long count;

    Sink(LongConsumer words) {
      this.words = words;
    }

    @Override
    public void write(int b) {
      partial |= (b & 0xffL) << (8 * partialBytes);
      if (++partialBytes == BYTES) {
        words.accept(partial);
        count++;
        partial = 0;
        partialBytes = 0;
      }
    }

    @Override
    public void write(byte[] bytes, int from, int length) {
      int i = from;
      int end = from + length;
      while (i < end && partialBytes != 0) {
        write(bytes[i++]);
      }
      for (; i + BYTES <= end; i += BYTES) {
        long value = 0;
        for (int k = BYTES - 1; k >= 0; k--) {
          value = (value << 8) | (bytes[i + k] & 0xffL);
        }
        words.accept(value);
        count++;
      }
      while (i < end) {
        write(bytes[i++]);
      }
    }

    /** True when the bytes written were whole words. */
    boolean whole() {
      return partialBytes == 0;
    }

    long count() {
      return count;
    }
  }
}
