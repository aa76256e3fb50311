package zisk.distributed.worker.referenceprover;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The contract's encoding of 64-bit words: standard base64 (with padding) of their little-endian
 * bytes, 8 bytes a word.
 */
final class Words {

  private Words() {}

  static String encode(List<Long> words) {
    ByteBuffer bytes =
        ByteBuffer.allocate(words.size() * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (long word : words) {
      bytes.putLong(word);
    }
    return Base64.getEncoder().encodeToString(bytes.array());
  }

  /** The words of {@code text}; throws RequestFailure(BAD_REQUEST) naming {@code field}. */
  static List<Long> decode(String text, String field) throws RequestFailure {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new RequestFailure(ErrorCode.BAD_REQUEST, field + " is not standard base64");
    }
    if (bytes.length % Long.BYTES != 0) {
      throw new RequestFailure(
          ErrorCode.BAD_REQUEST,
          field + " holds " + bytes.length + " bytes, not a whole number of 8-byte words");
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    List<Long> words = new ArrayList<>(bytes.length / Long.BYTES);
    while (buffer.hasRemaining()) {
      words.add(buffer.getLong());
    }
    return words;
  }
}
