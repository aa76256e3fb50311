package zisk.distributed.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WordPackingTest {

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 100})
  void roundTripsAnyLength(int length) throws Exception {
    byte[] bytes = new byte[length];
    new Random(length).nextBytes(bytes);

    long[] packed = WordPacking.pack(bytes);

    assertEquals(WordPacking.packedLength(length), packed.length);
    assertEquals(length, packed[0]);
    assertArrayEquals(bytes, WordPacking.unpack(packed));
  }

  @Test
  void keepsTrailingZeroBytes() throws Exception {
    byte[] bytes = {5, 0, 0};

    assertArrayEquals(bytes, WordPacking.unpack(WordPacking.pack(bytes)));
  }

  @Test
  void packsBigEndian() {
    long[] packed = WordPacking.pack(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});

    assertArrayEquals(new long[] {9, 0x0102030405060708L, 0x0900000000000000L}, packed);
  }

  @Test
  void unpacksFromAnOffset() throws Exception {
    long[] words = {42, 3, 0x0A0B0C0000000000L, 99};

    assertArrayEquals(new byte[] {10, 11, 12}, WordPacking.unpack(words, 1));
  }

  @Test
  void rejectsNonZeroPadding() {
    long[] packed = WordPacking.pack(new byte[] {1, 2, 3});
    packed[1] |= 1;

    InvalidProofException e =
        assertThrows(InvalidProofException.class, () -> WordPacking.unpack(packed));
    assertTrue(e.getMessage().contains("padding"), e.getMessage());
  }

  @Test
  void rejectsTruncatedWords() {
    long[] packed = WordPacking.pack(new byte[20]);

    assertThrows(
        InvalidProofException.class,
        () -> WordPacking.unpack(Arrays.copyOf(packed, packed.length - 1)));
    assertThrows(InvalidProofException.class, () -> WordPacking.unpack(new long[0]));
  }

  @Test
  void rejectsHugeOrNegativeLengths() {
    assertThrows(InvalidProofException.class, () -> WordPacking.unpack(new long[] {-1, 0}));
    assertThrows(
        InvalidProofException.class, () -> WordPacking.unpack(new long[] {Long.MAX_VALUE, 0}));
  }

  @Test
  void rejectsExtraWords() {
    long[] packed = Arrays.copyOf(WordPacking.pack(new byte[] {1}), 3);

    assertThrows(InvalidProofException.class, () -> WordPacking.unpack(packed));
  }
}
