package zisk.distributed.reference;

import java.util.List;

/**
 * Reads a word sequence made by {@link WordWriter}, strictly: every read says what it expects, and
 * a short, long or malformed sequence is an {@link InvalidProofException} naming the field.
 */
final class WordReader {

  private final long[] words;
  private int position;

  WordReader(long[] words) {
    this.words = words;
  }

  /** Reads the words of a proto {@code repeated uint64} field. */
  static WordReader of(List<Long> words) {
    long[] copy = new long[words.size()];
    for (int i = 0; i < copy.length; i++) {
      copy[i] = words.get(i);
    }
    return new WordReader(copy);
  }

  long word(String what) throws InvalidProofException {
    if (position >= words.length) {
      throw new InvalidProofException("truncated: missing " + what);
    }
    return words[position++];
  }

  /** A word that must equal {@code expected}. */
  void expect(long expected, String what) throws InvalidProofException {
    long actual = word(what);
    if (actual != expected) {
      throw new InvalidProofException(
          what
              + " is "
              + Long.toUnsignedString(actual)
              + ", expected "
              + Long.toUnsignedString(expected));
    }
  }

  /** A count of items that each take at least one word, so it cannot exceed what is left. */
  int count(String what) throws InvalidProofException {
    long count = word(what);
    if (Long.compareUnsigned(count, remaining()) > 0) {
      throw new InvalidProofException(
          "truncated: "
              + what
              + " is "
              + Long.toUnsignedString(count)
              + " but only "
              + remaining()
              + " words follow");
    }
    return (int) count;
  }

  /** Packed bytes that must be exactly {@code length} long. */
  byte[] bytes(int length, String what) throws InvalidProofException {
    byte[] bytes = bytes(what);
    if (bytes.length != length) {
      throw new InvalidProofException(what + " has " + bytes.length + " bytes, expected " + length);
    }
    return bytes;
  }

  /** Packed bytes of any length. */
  byte[] bytes(String what) throws InvalidProofException {
    if (position >= words.length) {
      throw new InvalidProofException("truncated: missing " + what);
    }
    byte[] bytes;
    try {
      bytes = WordPacking.unpack(words, position);
    } catch (InvalidProofException e) {
      throw e.within(what);
    }
    position += WordPacking.packedLength(bytes.length);
    return bytes;
  }

  /** Fails unless every word was read. */
  void end(String what) throws InvalidProofException {
    if (position != words.length) {
      throw new InvalidProofException(
          (words.length - position) + " unexpected words after the end of " + what);
    }
  }

  private int remaining() {
    return words.length - position;
  }
}
