package zisk.distributed.coordinator.testing.fuzz;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;

/**
 * Breaks serialized messages the ways a buggy or hostile client does: flipped bits, inserted,
 * deleted and duplicated bytes, truncation, stray fields, and strings that are not UTF-8.
 */
public final class ByteMutator {

  /** Byte sequences no UTF-8 decoder accepts (a lone continuation, an overlong NUL, ...). */
  private static final byte[][] NOT_UTF8 = {
    {(byte) 0x80},
    {(byte) 0xC0, (byte) 0x80},
    {(byte) 0xC3, 0x28},
    {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
    {(byte) 0xFF, (byte) 0xFE},
    {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}
  };

  private final Random random;

  public ByteMutator(Random random) {
    this.random = random;
  }

  /** One to four random mutations of {@code original}. */
  public byte[] mutate(byte[] original) {
    byte[] bytes = original;
    int mutations = 1 + random.nextInt(4);
    for (int i = 0; i < mutations; i++) {
      bytes = mutateOnce(bytes);
    }
    return bytes;
  }

  /** Uniformly random bytes, mostly short. */
  public byte[] randomBytes() {
    int length = random.nextInt(10) == 0 ? random.nextInt(70_000) : random.nextInt(64);
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }

  /**
   * {@code valid} followed by field {@code fieldNumber} as a length-delimited value that is not
   * UTF-8: for a string field this is what makes a parser refuse the message (the last value wins).
   */
  public byte[] withInvalidUtf8(byte[] valid, int fieldNumber) {
    byte[] payload = NOT_UTF8[random.nextInt(NOT_UTF8.length)];
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(valid);
    writeVarint(out, ((long) fieldNumber << 3) | 2);
    writeVarint(out, payload.length);
    out.writeBytes(payload);
    return out.toByteArray();
  }

  private byte[] mutateOnce(byte[] bytes) {
    int length = bytes.length;
    switch (random.nextInt(8)) {
      case 0 -> {
        if (length > 0) {
          byte[] copy = bytes.clone();
          copy[random.nextInt(length)] ^= (byte) (1 << random.nextInt(8));
          return copy;
        }
        return bytes;
      }
      case 1 -> {
        if (length > 0) {
          byte[] copy = bytes.clone();
          copy[random.nextInt(length)] = (byte) random.nextInt(256);
          return copy;
        }
        return bytes;
      }
      case 2 -> {
        byte[] inserted = new byte[1 + random.nextInt(16)];
        random.nextBytes(inserted);
        return splice(bytes, random.nextInt(length + 1), 0, inserted);
      }
      case 3 -> {
        if (length == 0) {
          return bytes;
        }
        int at = random.nextInt(length);
        return splice(bytes, at, 1 + random.nextInt(Math.min(16, length - at)), new byte[0]);
      }
      case 4 -> {
        return Arrays.copyOf(bytes, length == 0 ? 0 : random.nextInt(length));
      }
      case 5 -> {
        if (length == 0) {
          return bytes;
        }
        int at = random.nextInt(length);
        int size = 1 + random.nextInt(Math.min(32, length - at));
        return splice(
            bytes, random.nextInt(length + 1), 0, Arrays.copyOfRange(bytes, at, at + size));
      }
      case 6 -> {
        // A stray field: random number, random wire type (some invalid), random payload.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(bytes);
        writeVarint(out, ((long) (1 + random.nextInt(40)) << 3) | random.nextInt(8));
        byte[] payload = new byte[random.nextInt(12)];
        random.nextBytes(payload);
        out.writeBytes(payload);
        return out.toByteArray();
      }
      default -> {
        return withInvalidUtf8(bytes, 1 + random.nextInt(9));
      }
    }
  }

  private static byte[] splice(byte[] bytes, int at, int remove, byte[] insert) {
    byte[] result = new byte[bytes.length - remove + insert.length];
    System.arraycopy(bytes, 0, result, 0, at);
    System.arraycopy(insert, 0, result, at, insert.length);
    System.arraycopy(bytes, at + remove, result, at + insert.length, bytes.length - at - remove);
    return result;
  }

  private static void writeVarint(ByteArrayOutputStream out, long value) {
    while ((value & ~0x7FL) != 0) {
      out.write((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.write((int) value);
  }
}
