package zisk.distributed.reference;

/**
 * Packs bytes into the {@code uint64} words the wire messages carry, and back.
 *
 * <p>A byte string of length {@code n} becomes {@code 1 + ceil(n / 8)} words: the length, then the
 * bytes in big-endian order, eight per word, the last word padded with zero bytes. The length lets
 * trailing bytes (and trailing zero bytes) survive; unpacking insists on zero padding, so every
 * byte string has exactly one packing and a flipped bit anywhere is noticed.
 */
public final class WordPacking {

  private WordPacking() {}

  /** Words that {@link #pack(byte[])} makes of {@code byteLength} bytes. */
  public static int packedLength(int byteLength) {
    return 1 + (byteLength + 7) / 8;
  }

  /** The packing of {@code bytes}: length word, then data words. */
  public static long[] pack(byte[] bytes) {
    long[] words = new long[packedLength(bytes.length)];
    words[0] = bytes.length;
    for (int i = 0; i < bytes.length; i++) {
      words[1 + i / 8] |= (bytes[i] & 0xFFL) << (56 - 8 * (i % 8));
    }
    return words;
  }

  /** Unpacks a whole array made by {@link #pack(byte[])}; extra words are an error. */
  public static byte[] unpack(long[] words) throws InvalidProofException {
    byte[] bytes = unpack(words, 0);
    if (packedLength(bytes.length) != words.length) {
      throw new InvalidProofException(
          (words.length - packedLength(bytes.length)) + " unexpected words after packed bytes");
    }
    return bytes;
  }

  /**
   * Unpacks the byte string that starts at {@code offset}; it takes {@link #packedLength(int)} of
   * its length words.
   *
   * @throws InvalidProofException when the words end early or the padding is not zero
   */
  public static byte[] unpack(long[] words, int offset) throws InvalidProofException {
    if (offset < 0 || offset >= words.length) {
      throw new InvalidProofException("truncated: no length word at word " + offset);
    }
    long length = words[offset];
    long available = 8L * (words.length - offset - 1);
    // Unsigned: a huge or "negative" length word is simply too long.
    if (Long.compareUnsigned(length, available) > 0) {
      throw new InvalidProofException(
          "truncated: packed bytes of length "
              + Long.toUnsignedString(length)
              + " at word "
              + offset
              + " but only "
              + available
              + " bytes follow");
    }
    byte[] bytes = new byte[(int) length];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (words[offset + 1 + i / 8] >>> (56 - 8 * (i % 8)));
    }
    int tail = bytes.length % 8;
    if (tail != 0) {
      long padding = words[offset + 1 + bytes.length / 8] << (8 * tail);
      if (padding != 0) {
        throw new InvalidProofException("non-zero padding in packed bytes at word " + offset);
      }
    }
    return bytes;
  }
}
