package zisk.distributed.coordinator.api;

import java.util.HexFormat;
import java.util.regex.Pattern;

/** Input ids: the SHA-256 of an input's bytes, as 64 lowercase hex digits. */
final class InputIds {

  private static final Pattern ID = Pattern.compile("[0-9a-f]{64}");

  private InputIds() {}

  static boolean isValid(String inputId) {
    return ID.matcher(inputId).matches();
  }

  static String of(byte[] sha256) {
    return HexFormat.of().formatHex(sha256);
  }
}
