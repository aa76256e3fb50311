package zisk.distributed.reference;

import java.util.Arrays;
import java.util.List;
import java.util.stream.LongStream;

/** Builds the word sequence of a contribution or proof, in the order {@link WordReader} reads. */
final class WordWriter {

  private long[] words = new long[64];
  private int size;

  WordWriter word(long word) {
    ensure(1);
    words[size++] = word;
    return this;
  }

  /** Appends {@code bytes} packed by {@link WordPacking}. */
  WordWriter bytes(byte[] bytes) {
    long[] packed = WordPacking.pack(bytes);
    ensure(packed.length);
    System.arraycopy(packed, 0, words, size, packed.length);
    size += packed.length;
    return this;
  }

  long[] toArray() {
    return Arrays.copyOf(words, size);
  }

  /** The words as the proto builders' {@code addAll...} methods take them. */
  List<Long> toList() {
    return LongStream.of(words).limit(size).boxed().toList();
  }

  private void ensure(int more) {
    if (size + more > words.length) {
      words = Arrays.copyOf(words, Math.max(words.length * 2, size + more));
    }
  }
}
