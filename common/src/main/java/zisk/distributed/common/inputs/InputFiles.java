package zisk.distributed.common.inputs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Where a worker may read task inputs, and the coordinator the inputs it verifies final proofs
 * against: regular files inside the inputs directories, up to a size limit. {@code input_path}
 * comes from whoever launched the job, so it is treated as hostile. Both sides apply the same rule,
 * so the same relative path names the same file wherever the directory is shared.
 *
 * <p>{@link #open} refuses, with a message that names the rule and never the file's content:
 *
 * <ol>
 *   <li>a path that is not under an inputs directory as written (nothing outside is even looked at;
 *       a relative path is taken under the first directory);
 *   <li>a path whose real location (links resolved) is outside every inputs directory;
 *   <li>anything but a regular file (devices such as {@code /dev/zero}, FIFOs, directories),
 *       checked before the file is opened;
 *   <li>a file larger than the limit, checked on its size and again while reading.
 * </ol>
 *
 * <p>Where the platform offers a {@link SecureDirectoryStream} (Linux), the real path is then
 * opened one component at a time from the inputs directory, never following a link, so a directory
 * swapped for a link after the check fails the open instead of leading outside. One race remains
 * for whoever can write inside an inputs directory: a file swapped for a FIFO between the type
 * check and the open blocks that task until it is cancelled.
 */
public final class InputFiles {

  /** Longest {@code input_path} looked at, in characters (the coordinator's own limit). */
  public static final int MAX_PATH_LENGTH = 4096;

  /** Largest {@code prover.max_input_bytes}: the content must fit one Java array. */
  public static final long MAX_LIMIT_BYTES = 1L << 30;

  /** The default size limit, {@code prover.max_input_bytes}'s default: 64 MiB. */
  public static final long DEFAULT_MAX_BYTES = 64L << 20;

  static final String OUTSIDE = outside("worker");
  static final String NOT_REGULAR = "input_path is not a regular file";
  static final String MISSING = missing("worker");

  private final List<Path> dirs;
  private final long maxBytes;
  private final String reader;
  private final String limitName;

  /**
   * @param dirs the inputs directories, at least one; relative ones are taken from the working
   *     directory
   * @param maxBytes the largest input, 1 to {@value #MAX_LIMIT_BYTES}
   */
  public InputFiles(List<Path> dirs, long maxBytes) {
    this(dirs, maxBytes, "worker", "prover.max_input_bytes");
  }

  /**
   * @param dirs the inputs directories, at least one; relative ones are taken from the working
   *     directory
   * @param maxBytes the largest input, 1 to {@value #MAX_LIMIT_BYTES}
   * @param reader who reads the inputs, as refusals name it: "worker", "coordinator"
   * @param limitName the size limit, as a refusal for a too large file names it
   */
  public InputFiles(List<Path> dirs, long maxBytes, String reader, String limitName) {
    if (dirs.isEmpty()) {
      throw new IllegalArgumentException("at least one inputs directory is needed");
    }
    if (maxBytes < 1 || maxBytes > MAX_LIMIT_BYTES) {
      throw new IllegalArgumentException(
          "the input size limit must be between 1 and " + MAX_LIMIT_BYTES + ", got " + maxBytes);
    }
    this.dirs = dirs.stream().map(dir -> dir.toAbsolutePath().normalize()).toList();
    this.maxBytes = maxBytes;
    this.reader = reader;
    this.limitName = limitName;
  }

  /** The inputs directories, absolute, in order. */
  public List<Path> dirs() {
    return dirs;
  }

  public long maxBytes() {
    return maxBytes;
  }

  /**
   * Finds, checks and reads a task's input.
   *
   * @param inputPath the task's {@code input_path}, absolute or relative to the first directory
   * @throws InputRefusedException naming the rule the path breaks, or why it could not be read
   */
  public InputFile open(String inputPath) throws InputRefusedException {
    return find(inputPath, true);
  }

  /**
   * Finds and checks an input without reading it, for a program that reads the file itself.
   *
   * @param inputPath the job's {@code input_path}, absolute or relative to the first directory
   * @return the file's real path, inside an inputs directory
   * @throws InputRefusedException naming the rule the path breaks, or why it could not be checked
   */
  public Path check(String inputPath) throws InputRefusedException {
    return find(inputPath, false).path();
  }

  /** The checked input, with its content only if {@code read}. */
  private InputFile find(String inputPath, boolean read) throws InputRefusedException {
    Path wanted = locate(inputPath);
    try {
      List<Path> realDirs = realDirs();
      if (dirs.stream().noneMatch(wanted::startsWith)
          && realDirs.stream().noneMatch(wanted::startsWith)) {
        throw new InputRefusedException(outside(reader));
      }
      Path real = wanted.toRealPath();
      Path root =
          realDirs.stream()
              .filter(real::startsWith)
              .findFirst()
              .orElseThrow(() -> new InputRefusedException(outside(reader)));
      if (real.equals(root)) {
        throw new InputRefusedException(NOT_REGULAR);
      }
      if (!read) {
        check(Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
        return new InputFile(real, new byte[0]);
      }
      return new InputFile(real, read(root, root.relativize(real), real));
    } catch (NoSuchFileException e) {
      throw new InputRefusedException(missing(reader));
    } catch (AccessDeniedException e) {
      throw new InputRefusedException("input_path is not readable by the " + reader);
    } catch (IOException e) {
      throw new InputRefusedException(
          "input_path could not be read (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** The path as an absolute, normalized one; relative paths start in the first directory. */
  private Path locate(String inputPath) throws InputRefusedException {
    if (inputPath.isEmpty()) {
      throw new InputRefusedException("input_path is empty");
    }
    if (inputPath.length() > MAX_PATH_LENGTH) {
      throw new InputRefusedException(
          "input_path is longer than " + MAX_PATH_LENGTH + " characters");
    }
    try {
      Path path = Path.of(inputPath);
      return (path.isAbsolute() ? path : dirs.get(0).resolve(path)).normalize();
    } catch (InvalidPathException e) {
      throw new InputRefusedException("input_path is not a valid path");
    }
  }

  /** The real path of every inputs directory that exists now. */
  private List<Path> realDirs() {
    List<Path> real = new ArrayList<>();
    for (Path dir : dirs) {
      try {
        real.add(dir.toRealPath());
      } catch (IOException e) {
        // A missing directory holds nothing; a warning was logged at start-up.
      }
    }
    return real;
  }

  /** Reads {@code relative} under {@code root}, following no link on the way when it can. */
  private byte[] read(Path root, Path relative, Path real)
      throws IOException, InputRefusedException {
    try (DirectoryStream<Path> top = Files.newDirectoryStream(root)) {
      if (top instanceof SecureDirectoryStream<Path> secure) {
        return readBelow(secure, relative);
      }
    }
    return readByPath(real);
  }

  private byte[] readBelow(SecureDirectoryStream<Path> root, Path relative)
      throws IOException, InputRefusedException {
    List<SecureDirectoryStream<Path>> opened = new ArrayList<>();
    try {
      SecureDirectoryStream<Path> dir = root;
      for (int i = 0; i < relative.getNameCount() - 1; i++) {
        try {
          dir = dir.newDirectoryStream(relative.getName(i), LinkOption.NOFOLLOW_LINKS);
        } catch (FileSystemException e) {
          // Not a directory any more, or a link now: something changed under the check.
          throw new InputRefusedException(outside(reader));
        }
        opened.add(dir);
      }
      Path name = relative.getFileName();
      BasicFileAttributes attributes =
          dir.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
              .readAttributes();
      check(attributes);
      try (SeekableByteChannel channel =
          dir.newByteChannel(name, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
        return readBounded(channel);
      }
    } finally {
      for (SecureDirectoryStream<Path> dir : opened) {
        dir.close();
      }
    }
  }

  /** Where no secure directory stream exists: open the checked path, then check it again. */
  private byte[] readByPath(Path real) throws IOException, InputRefusedException {
    BasicFileAttributes before =
        Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    check(before);
    try (SeekableByteChannel channel =
        Files.newByteChannel(real, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      BasicFileAttributes after =
          Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      Optional<Object> key = Optional.ofNullable(before.fileKey());
      if (!real.toRealPath().equals(real) || !key.equals(Optional.ofNullable(after.fileKey()))) {
        throw new InputRefusedException(outside(reader));
      }
      return readBounded(channel);
    }
  }

  private void check(BasicFileAttributes attributes) throws InputRefusedException {
    if (!attributes.isRegularFile()) {
      throw new InputRefusedException(NOT_REGULAR);
    }
    if (attributes.size() > maxBytes) {
      throw tooLarge();
    }
  }

  /** Reads at most one byte past the limit, whatever the size said (a file may grow). */
  private byte[] readBounded(SeekableByteChannel channel)
      throws IOException, InputRefusedException {
    InputStream in = Channels.newInputStream(channel);
    byte[] content = in.readNBytes((int) maxBytes + 1);
    if (content.length > maxBytes) {
      throw tooLarge();
    }
    return content;
  }

  private InputRefusedException tooLarge() {
    return new InputRefusedException(
        "input_path is larger than " + limitName + " (" + maxBytes + ")");
  }

  private static String outside(String reader) {
    return "input_path is outside the " + reader + "'s inputs directories";
  }

  private static String missing(String reader) {
    return "input_path does not exist in the " + reader + "'s inputs directories";
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof InputFiles that
        && dirs.equals(that.dirs)
        && maxBytes == that.maxBytes
        && reader.equals(that.reader)
        && limitName.equals(that.limitName);
  }

  @Override
  public int hashCode() {
    return Objects.hash(dirs, maxBytes, reader, limitName);
  }

  @Override
  public String toString() {
    return "InputFiles" + dirs + " (at most " + maxBytes + " bytes)";
  }
}
