package zisk.distributed.reference;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What the reference prover proves: {@code lanes} hash chains of {@code steps} steps each, all
 * started from {@code seed}.
 *
 * <p>The file format is a small subset of TOML: one {@code key = value} per line, blank lines and
 * {@code #} comments allowed, every key exactly once:
 *
 * <pre>
 * # ZisK reference prover input
 * lanes = 8                # number of hash chains, 1 to 1024
 * steps = 100000           # steps per chain, 1 to 16777216 (underscores allowed: 100_000)
 * seed = "a3f1...e0"       # hex, 1 to 256 bytes
 * </pre>
 *
 * <p>Every file {@link #write(Path)} produces is valid TOML, and so is every file {@link
 * #read(Path)} accepts.
 */
public record ReferenceInput(int lanes, long steps, byte[] seed) {

  /** Most lanes an input may have (each lane is one Merkle tree held by one rank). */
  public static final int MAX_LANES = 1024;

  /**
   * Most steps per lane: a lane's states and tree take about 64 bytes per step in memory, and a
   * level of the tree must fit one Java array.
   */
  public static final long MAX_STEPS = 1L << 24;

  /** Longest seed, in bytes. */
  public static final int MAX_SEED_BYTES = 256;

  /** Seed length of {@link #withRandomSeed(int, long)}. */
  public static final int RANDOM_SEED_BYTES = 32;

  /** Largest input file accepted: far more than three lines and comments need. */
  public static final int MAX_FILE_BYTES = 64 * 1024;

  private static final HexFormat HEX = HexFormat.of();
  private static final Pattern INTEGER = Pattern.compile("[0-9]+(_[0-9]+)*");
  private static final Pattern HEX_DIGITS = Pattern.compile("[0-9a-fA-F]*");
  private static final List<String> KEYS = List.of("lanes", "steps", "seed");

  /** Validates the parameters; the seed is copied. */
  public ReferenceInput {
    if (lanes < 1 || lanes > MAX_LANES) {
      throw new IllegalArgumentException(
          "lanes must be between 1 and " + MAX_LANES + ", got " + lanes);
    }
    if (steps < 1 || steps > MAX_STEPS) {
      throw new IllegalArgumentException(
          "steps must be between 1 and " + MAX_STEPS + ", got " + steps);
    }
    if (seed == null || seed.length == 0) {
      throw new IllegalArgumentException("seed must not be empty");
    }
    if (seed.length > MAX_SEED_BYTES) {
      throw new IllegalArgumentException(
          "seed must be at most " + MAX_SEED_BYTES + " bytes, got " + seed.length);
    }
    seed = seed.clone();
  }

  /** An input with a fresh random seed of {@value #RANDOM_SEED_BYTES} bytes. */
  public static ReferenceInput withRandomSeed(int lanes, long steps) {
    byte[] seed = new byte[RANDOM_SEED_BYTES];
    new SecureRandom().nextBytes(seed);
    return new ReferenceInput(lanes, steps, seed);
  }

  /** Parses a seed given as hex (upper or lower case), with a clear message when it is not. */
  public static byte[] parseSeedHex(String hex) {
    if (hex.isEmpty()) {
      throw new IllegalArgumentException("seed must not be empty");
    }
    if (hex.length() % 2 != 0) {
      throw new IllegalArgumentException(
          "seed must be an even number of hex digits, got " + hex.length());
    }
    try {
      return HEX.parseHex(hex);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("seed is not hex: \"" + hex + "\"");
    }
  }

  /**
   * Reads an input file (a local one: the worker reads task inputs through its inputs directories
   * and calls {@link #parse(ByteBuffer, String)}).
   *
   * @throws IOException when the file cannot be read
   * @throws IllegalArgumentException when its content is not a valid input; the message names the
   *     file and the line, never the content
   */
  public static ReferenceInput read(Path file) throws IOException {
    // Bounded while reading, not by the size the file claims: /dev/zero says 0 bytes.
    byte[] content;
    try (InputStream in = Files.newInputStream(file)) {
      content = in.readNBytes(MAX_FILE_BYTES + 1);
    }
    return parse(ByteBuffer.wrap(content), file.toString());
  }

  /**
   * Parses an input file's bytes; {@code source} names it in error messages, which never quote the
   * content (it may be any file someone named).
   */
  public static ReferenceInput parse(ByteBuffer content, String source) {
    if (content.remaining() > MAX_FILE_BYTES) {
      throw new IllegalArgumentException(
          source
              + ": more than "
              + MAX_FILE_BYTES
              + " bytes is too large for a reference input (a few lines of lanes, steps and seed)");
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(content)
              .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(source + ": not UTF-8 text");
    }
    return parse(text, source);
  }

  /**
   * Parses the text of an input file; {@code source} names it in error messages, which say what
   * rule a line breaks without quoting it.
   */
  public static ReferenceInput parse(String text, String source) {
    Map<String, String> values = new HashMap<>();
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String where = source + ": line " + (i + 1) + ": ";
      int equals = line.indexOf('=');
      if (equals < 0) {
        throw new IllegalArgumentException(where + "expected 'key = value'");
      }
      String key = line.substring(0, equals).strip();
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException(where + "unknown key (expected lanes, steps and seed)");
      }
      if (values.containsKey(key)) {
        throw new IllegalArgumentException(where + "'" + key + "' is given twice");
      }
      String value = valueOf(line.substring(equals + 1).strip(), key, where);
      checkRange(key, value, where);
      values.put(key, value);
    }
    for (String key : KEYS) {
      if (!values.containsKey(key)) {
        throw new IllegalArgumentException(source + ": missing '" + key + "'");
      }
    }
    return new ReferenceInput(
        (int) parseInteger(values.get("lanes")),
        parseInteger(values.get("steps")),
        HEX.parseHex(values.get("seed")));
  }

  /** Writes this input in the format {@link #read(Path)} accepts. */
  public void write(Path file) throws IOException {
    Files.writeString(file, toText(), StandardCharsets.UTF_8);
  }

  /** The file text of this input. */
  public String toText() {
    return "# ZisK reference prover input (see ReferenceInput)\n"
        + "lanes = "
        + lanes
        + "\n"
        + "steps = "
        + steps
        + "\n"
        + "seed = \""
        + seedHex()
        + "\"\n";
  }

  /** A copy of the seed. */
  @Override
  public byte[] seed() {
    return seed.clone();
  }

  /** The seed in lower-case hex. */
  public String seedHex() {
    return HEX.formatHex(seed);
  }

  /** SHA-256 of the seed: how proofs name the input without carrying the seed. */
  public byte[] seedHash() {
    return Sha256.hash(seed);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ReferenceInput that
        && lanes == that.lanes
        && steps == that.steps
        && Arrays.equals(seed, that.seed);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * lanes + Long.hashCode(steps)) + Arrays.hashCode(seed);
  }

  @Override
  public String toString() {
    return "ReferenceInput[lanes=" + lanes + ", steps=" + steps + ", seed=" + seedHex() + "]";
  }

  /** The value of one line, without its trailing comment; strings lose their quotes. */
  private static String valueOf(String raw, String key, String where) {
    boolean wantsString = key.equals("seed");
    String value;
    String rest;
    if (raw.startsWith("\"")) {
      int close = raw.indexOf('"', 1);
      if (close < 0) {
        throw new IllegalArgumentException(where + "unterminated string for '" + key + "'");
      }
      value = raw.substring(1, close);
      rest = raw.substring(close + 1).strip();
      if (!wantsString) {
        throw new IllegalArgumentException(
            where + "'" + key + "' must be an integer, not a string");
      }
    } else {
      int hash = raw.indexOf('#');
      value = (hash < 0 ? raw : raw.substring(0, hash)).strip();
      rest = "";
      if (wantsString) {
        throw new IllegalArgumentException(
            where + "'seed' must be a quoted hex string, like seed = \"ab12\"");
      }
      if (!INTEGER.matcher(value).matches()) {
        throw new IllegalArgumentException(where + "'" + key + "' must be a positive integer");
      }
    }
    if (!rest.isEmpty() && !rest.startsWith("#")) {
      throw new IllegalArgumentException(where + "unexpected text after the value");
    }
    return value;
  }

  /** The limits of the constructor, said without quoting the value (it came from a file). */
  private static void checkRange(String key, String value, String where) {
    switch (key) {
      case "lanes" -> {
        if (parseInteger(value) < 1 || parseInteger(value) > MAX_LANES) {
          throw new IllegalArgumentException(where + "'lanes' must be between 1 and " + MAX_LANES);
        }
      }
      case "steps" -> {
        if (parseInteger(value) < 1 || parseInteger(value) > MAX_STEPS) {
          throw new IllegalArgumentException(where + "'steps' must be between 1 and " + MAX_STEPS);
        }
      }
      default -> {
        if (value.isEmpty() || value.length() % 2 != 0 || !HEX_DIGITS.matcher(value).matches()) {
          throw new IllegalArgumentException(
              where + "'seed' must be an even number of hex digits, at least 2");
        }
        if (value.length() / 2 > MAX_SEED_BYTES) {
          throw new IllegalArgumentException(
              where + "'seed' must be at most " + MAX_SEED_BYTES + " bytes");
        }
      }
    }
  }

  private static long parseInteger(String digits) {
    try {
      return Long.parseLong(digits.replace("_", ""));
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE; // only overflow gets here; validation then says it is too large
    }
  }
}
