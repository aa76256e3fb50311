package zisk.distributed.client;

import java.nio.file.Path;

/**
 * The block id {@code zisk prove} launches with when none is given: the input file's name without
 * its extension, then the first 12 hex digits of its SHA-256 ({@code input-3fa2b4c1d0e9}), within
 * the 256 printable characters LaunchProof accepts.
 */
public final class BlockIds {

  static final int MAX_NAME = 200;

  private BlockIds() {}

  public static String derive(Path input, String sha256Hex) {
    Path fileName = input.getFileName();
    String name = fileName == null ? "input" : fileName.toString();
    int dot = name.lastIndexOf('.');
    if (dot > 0) {
      name = name.substring(0, dot);
    }
    StringBuilder safe = new StringBuilder();
    name.codePoints()
        .limit(MAX_NAME)
        .forEach(c -> safe.append(c > 0x20 && c < 0x7f ? (char) c : '_'));
    String stem = safe.isEmpty() ? "input" : safe.toString();
    return stem + "-" + sha256Hex.substring(0, 12);
  }
}
