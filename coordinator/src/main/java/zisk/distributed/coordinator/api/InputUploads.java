package zisk.distributed.coordinator.api;

import io.grpc.stub.StreamObserver;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.api.v1.StoredInput;
import zisk.distributed.api.v1.UploadInputRequest;
import zisk.distributed.api.v1.UploadInputResponse;
import zisk.distributed.common.rules.SafeText;
import zisk.distributed.coordinator.store.InputDao;
import zisk.distributed.coordinator.store.Store;

/**
 * UploadInput: stores an input in the database, addressed by its SHA-256. The bytes are hashed and
 * written as chunk rows as they arrive (never the whole input in memory), under a pending upload
 * that becomes the input in one statement at the end; an upload that breaks leaves nothing visible,
 * and its rows are deleted (here, or by the retention chore if this coordinator dies first). gRPC
 * delivers a call's messages one at a time and asks for the next only once {@code onNext} returns,
 * so a slow database slows the client down instead of filling memory.
 */
public final class InputUploads {

  private static final Logger log = LoggerFactory.getLogger(InputUploads.class);
  private static final String RPC = "UploadInput";

  private final Store store;
  private final long maxSizeBytes;
  private final ErrorMapper errors;

  public InputUploads(Store store, long maxSizeBytes, ErrorMapper errors) {
    this.store = store;
    this.maxSizeBytes = maxSizeBytes;
    this.errors = errors;
  }

  StreamObserver<UploadInputRequest> open(StreamObserver<UploadInputResponse> responses) {
    return new Upload(responses);
  }

  /** One call. gRPC never calls a call's observer methods concurrently. */
  private final class Upload implements StreamObserver<UploadInputRequest> {

    private final StreamObserver<UploadInputResponse> responses;
    private final MessageDigest digest = sha256();
    private boolean started;
    private boolean answered;
    private String expectedId;
    private long declaredSize;
    private UUID uploadId;
    private int seq;
    private long size;

    Upload(StreamObserver<UploadInputResponse> responses) {
      this.responses = responses;
    }

    @Override
    public void onNext(UploadInputRequest request) {
      if (answered) {
        return; // answered early (stored already, or refused): the rest is not read
      }
      try {
        if (!started) {
          started = true;
          if (begin(request)) {
            return;
          }
        } else if (!request.getSha256().isEmpty() || request.getSizeBytes() != 0) {
          throw ApiException.invalidArgument(
              "sha256 and size_bytes belong on the first message of an upload only");
        }
        append(request.getChunk().toByteArray());
      } catch (Exception e) {
        refuse(e);
      }
    }

    @Override
    public void onError(Throwable t) {
      // The client went away: the pending rows go too.
      answered = true;
      drop();
    }

    @Override
    public void onCompleted() {
      if (answered) {
        return;
      }
      try {
        answer(finish());
      } catch (Exception e) {
        refuse(e);
      }
    }

    /** Checks the first message's claims; true when it already answered the call. */
    private boolean begin(UploadInputRequest request) {
      String sha = request.getSha256().strip();
      if (!sha.isEmpty()) {
        expectedId = sha.toLowerCase(Locale.ROOT);
        if (!InputIds.isValid(expectedId)) {
          throw ApiException.invalidArgument(
              "sha256 '" + SafeText.shorten(sha) + "' is not a SHA-256: it must be 64 hex digits");
        }
      }
      declaredSize = request.getSizeBytes();
      if (declaredSize < 0 || declaredSize > maxSizeBytes) {
        throw tooLarge(Long.toUnsignedString(declaredSize) + " bytes");
      }
      if (expectedId != null) {
        Optional<InputDao.StoredInput> stored = store.read(tx -> tx.inputs().touch(expectedId));
        if (stored.isPresent()) {
          log.debug("UploadInput: input {} is already stored", expectedId);
          answer(stored(stored.get().inputId(), stored.get().sizeBytes(), true));
          return true;
        }
      }
      return false;
    }

    private void append(byte[] chunk) {
      if (chunk.length == 0) {
        return;
      }
      size += chunk.length;
      if (size > maxSizeBytes) {
        throw tooLarge("more than " + maxSizeBytes + " bytes");
      }
      if (declaredSize > 0 && size > declaredSize) {
        throw ApiException.invalidArgument(
            "the upload sent more than the " + declaredSize + " bytes its size_bytes announced");
      }
      digest.update(chunk);
      if (uploadId == null) {
        uploadId = store.read(tx -> tx.inputs().startUpload());
      }
      int next = seq++;
      if (store.read(tx -> tx.inputs().addChunk(uploadId, next, chunk)) != 1) {
        throw new ApiException(
            ApiException.SYSTEM_UNAVAILABLE,
            "the upload was abandoned on the coordinator (idle for too long); upload again");
      }
    }

    private StoredInput finish() {
      if (size == 0) {
        throw ApiException.invalidArgument("the input is empty: an input needs at least one byte");
      }
      if (declaredSize > 0 && size != declaredSize) {
        throw ApiException.invalidArgument(
            "the upload sent " + size + " bytes, not the " + declaredSize + " of its size_bytes");
      }
      String inputId = InputIds.of(digest.digest());
      if (expectedId != null && !expectedId.equals(inputId)) {
        throw ApiException.invalidArgument(
            "the bytes sent have SHA-256 "
                + inputId
                + ", not the sha256 given ("
                + expectedId
                + ")");
      }
      long length = size;
      StoredInput result =
          store.inTransaction(
              tx -> {
                if (tx.inputs().publish(inputId, uploadId, length) == 1) {
                  return stored(inputId, length, false);
                }
                // The same bytes were stored first (earlier, or by a concurrent upload): keep
                // those.
                tx.inputs().dropUpload(uploadId);
                return tx.inputs()
                    .touch(inputId)
                    .map(found -> stored(inputId, found.sizeBytes(), true))
                    .orElseThrow(
                        () ->
                            new ApiException(
                                ApiException.SYSTEM_UNAVAILABLE,
                                "the input was being deleted as it was uploaded again; retry"));
              });
      if (result.getAlreadyStored()) {
        uploadId = null;
      }
      log.info(
          "UploadInput: input {} ({} bytes){}",
          inputId,
          length,
          result.getAlreadyStored() ? " was already stored" : " stored");
      return result;
    }

    private void answer(StoredInput input) {
      answered = true;
      responses.onNext(UploadInputResponse.newBuilder().setInput(input).build());
      responses.onCompleted();
    }

    private void refuse(Exception e) {
      answered = true;
      drop();
      responses.onNext(
          UploadInputResponse.newBuilder().setError(errors.toErrorResponse(RPC, e)).build());
      responses.onCompleted();
    }

    /** Deletes the pending rows; the retention chore catches what a failure here leaves. */
    private void drop() {
      UUID pending = uploadId;
      uploadId = null;
      if (pending == null) {
        return;
      }
      try {
        store.read(tx -> tx.inputs().dropUpload(pending));
      } catch (RuntimeException e) {
        log.warn("UploadInput: could not delete a broken upload's chunks now: {}", e.getMessage());
      }
    }

    private ApiException tooLarge(String size) {
      return ApiException.invalidArgument(
          "the input is "
              + size
              + ", larger than this coordinator's inputs.max_size_bytes ("
              + maxSizeBytes
              + " bytes)");
    }
  }

  private static StoredInput stored(String inputId, long size, boolean already) {
    return StoredInput.newBuilder()
        .setInputId(inputId)
        .setSizeBytes(size)
        .setAlreadyStored(already)
        .build();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
