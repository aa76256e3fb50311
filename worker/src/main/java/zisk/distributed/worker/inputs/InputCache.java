package zisk.distributed.worker.inputs;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.api.v1.GetInputRequest;
import zisk.distributed.api.v1.GetInputResponse;
import zisk.distributed.api.v1.ZiskDistributedApiGrpc;
import zisk.distributed.common.inputs.InputRefusedException;
import zisk.distributed.common.rules.SafeText;

/**
 * Uploaded inputs (ContributionParams.input_id) on this worker's disk: fetched with GetInput from
 * the coordinator that sent the task, written to a temporary file, checked against their SHA-256
 * (the id), then renamed to {@code <input_id>} in one step, so a file under that name is always
 * whole. A cached file is hashed again before use and fetched again if it does not match. The
 * directory is kept under its byte limit by deleting the least recently used files.
 *
 * <p>Called on the task thread only (never a gRPC thread); one fetch at a time.
 */
public final class InputCache {

  private static final Logger log = LoggerFactory.getLogger(InputCache.class);
  private static final Pattern ID = Pattern.compile("[0-9a-f]{64}");
  private static final String PARTIAL = ".part";

  private final Path dir;
  private final long maxBytes;
  private final LongAdder downloads = new LongAdder();
  private final LongAdder downloadedBytes = new LongAdder();
  private final LongAdder hits = new LongAdder();
  private final DownloadRecorder recorder;

  /** Told of every download's outcome ("ok", "refused", "failed") and its bytes: metrics. */
  @FunctionalInterface
  public interface DownloadRecorder {
    void record(String outcome, long bytes);
  }

  /**
   * @param dir where inputs are kept; created when missing
   * @param maxBytes most bytes kept; least recently used files go first (the one in use stays)
   */
  public InputCache(Path dir, long maxBytes) {
    this(dir, maxBytes, (outcome, bytes) -> {});
  }

  public InputCache(Path dir, long maxBytes, DownloadRecorder recorder) {
    this.dir = dir.toAbsolutePath().normalize();
    this.maxBytes = maxBytes;
    this.recorder = recorder;
  }

  public Path dir() {
    return dir;
  }

  /** Inputs fetched from a coordinator so far (a metrics hook). */
  public long downloads() {
    return downloads.sum();
  }

  /** Bytes fetched from coordinators so far (a metrics hook). */
  public long downloadedBytes() {
    return downloadedBytes.sum();
  }

  /** Inputs found whole in the cache so far (a metrics hook). */
  public long hits() {
    return hits.sum();
  }

  /**
   * The local file holding the input, fetched first if needed.
   *
   * @param coordinator the channel of the coordinator that sent the task (its token included)
   * @param maxInputBytes the largest input this worker reads (prover.max_input_bytes)
   * @throws InputRefusedException when the coordinator does not have the input (the launcher's
   *     fault) or it is larger than this worker reads
   * @throws IOException when the download or the disk failed
   */
  public synchronized Path fetch(String inputId, Channel coordinator, long maxInputBytes)
      throws InputRefusedException, IOException, InterruptedException {
    if (!ID.matcher(inputId).matches()) {
      throw new InputRefusedException(
          "input_id '" + SafeText.shorten(inputId) + "' is not an input id (64 lowercase hex)");
    }
    Files.createDirectories(dir);
    Path target = dir.resolve(inputId);
    if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
      if (inputId.equals(sha256(target))) {
        hits.increment();
        Files.setLastModifiedTime(target, FileTime.fromMillis(System.currentTimeMillis()));
        return target;
      }
      log.warn("cached input {} does not match its SHA-256; fetching it again", inputId);
      Files.deleteIfExists(target);
    }
    Path partial = Files.createTempFile(dir, "." + inputId + "-", PARTIAL);
    try {
      long size;
      try {
        size = download(inputId, coordinator, partial, maxInputBytes);
      } catch (InputRefusedException e) {
        recorder.record("refused", 0);
        throw e;
      } catch (IOException e) {
        recorder.record("failed", 0);
        throw e;
      }
      try {
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
      }
      downloads.increment();
      downloadedBytes.add(size);
      recorder.record("ok", size);
      log.info("fetched input {} ({} bytes) from the coordinator into {}", inputId, size, dir);
    } finally {
      Files.deleteIfExists(partial);
    }
    evict(target);
    return target;
  }

  /** Streams the input into {@code file}, checking its size and hash; answers its size. */
  private long download(String inputId, Channel coordinator, Path file, long maxInputBytes)
      throws InputRefusedException, IOException, InterruptedException {
    MessageDigest digest = newDigest();
    long size = -1;
    long written = 0;
    try (OutputStream out = Files.newOutputStream(file)) {
      Iterator<GetInputResponse> chunks =
          ZiskDistributedApiGrpc.newBlockingStub(coordinator)
              .getInput(GetInputRequest.newBuilder().setInputId(inputId).build());
      while (chunks.hasNext()) {
        GetInputResponse chunk = chunks.next();
        if (chunk.hasError()) {
          String why = SafeText.clean(chunk.getError().getMessage(), SafeText.MAX_REASON);
          if ("INPUT_NOT_FOUND".equals(chunk.getError().getCode())) {
            throw new InputRefusedException("the coordinator does not have input " + inputId);
          }
          throw new IOException(
              "the coordinator could not serve input "
                  + inputId
                  + " ("
                  + SafeText.shorten(chunk.getError().getCode())
                  + ": "
                  + why
                  + ")");
        }
        if (size < 0) {
          size = chunk.getSizeBytes();
          if (size > maxInputBytes) {
            throw new InputRefusedException(
                "input "
                    + inputId
                    + " is "
                    + size
                    + " bytes, larger than this worker's prover.max_input_bytes ("
                    + maxInputBytes
                    + ")");
          }
        }
        byte[] bytes = chunk.getChunk().toByteArray();
        written += bytes.length;
        if (written > size) {
          throw new IOException("the coordinator sent more than the " + size + " bytes announced");
        }
        digest.update(bytes);
        out.write(bytes);
      }
    } catch (StatusRuntimeException e) {
      if (Thread.interrupted() || e.getStatus().getCode() == Status.Code.CANCELLED) {
        throw new InterruptedException("input download cancelled");
      }
      throw new IOException(
          "downloading input " + inputId + " from the coordinator failed: " + e.getStatus(), e);
    }
    if (written != size || size <= 0) {
      throw new IOException(
          "the download of input "
              + inputId
              + " ended after "
              + written
              + " of "
              + size
              + " bytes");
    }
    String actual = HexFormat.of().formatHex(digest.digest());
    if (!actual.equals(inputId)) {
      throw new IOException("the downloaded input has SHA-256 " + actual + ", not " + inputId);
    }
    return size;
  }

  /** Deletes least recently used inputs until the cache fits its limit; never {@code keep}. */
  private void evict(Path keep) throws IOException {
    List<Path> files = new ArrayList<>();
    long total = 0;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        if (ID.matcher(entry.getFileName().toString()).matches()
            && Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
          files.add(entry);
          total += Files.size(entry);
        }
      }
    }
    files.sort(Comparator.comparing(InputCache::lastUsed));
    for (Path file : files) {
      if (total <= maxBytes) {
        return;
      }
      if (!file.equals(keep)) {
        long size = Files.size(file);
        Files.deleteIfExists(file);
        total -= size;
        log.info("evicted cached input {} ({} bytes)", file.getFileName(), size);
      }
    }
  }

  private static FileTime lastUsed(Path file) {
    try {
      return Files.readAttributes(file, BasicFileAttributes.class).lastModifiedTime();
    } catch (IOException e) {
      return FileTime.fromMillis(0);
    }
  }

  private static String sha256(Path file) throws IOException {
    MessageDigest digest = newDigest();
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int read; (read = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, read);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
