package zisk.distributed.client;

import com.google.protobuf.ByteString;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import zisk.distributed.api.v1.StoredInput;
import zisk.distributed.api.v1.UploadInputRequest;
import zisk.distributed.api.v1.UploadInputResponse;

/**
 * UploadInput of one file: the first message carries the file's SHA-256 and size, then 256 KiB
 * chunks as fast as the coordinator takes them (gRPC flow control). A coordinator that already
 * holds the bytes answers after the first message, and the upload stops there.
 */
public final class InputUpload {

  /** Bytes per message, as the proto suggests. */
  public static final int CHUNK_BYTES = 256 * 1024;

  private final Coordinators coordinators;

  public InputUpload(Coordinators coordinators) {
    this.coordinators = coordinators;
  }

  /** The SHA-256 of a file, in lowercase hex (the input id it will have). */
  public static String sha256Hex(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /**
   * Uploads {@code file}, trying each URL until one answers.
   *
   * @throws ClientFailure exit 1 when the coordinator refused it, 3 when none answered
   */
  public StoredInput upload(Path file) throws IOException {
    String sha256 = sha256Hex(file);
    long size = Files.size(file);
    List<String> failures = new ArrayList<>();
    for (int tried = 0; tried < coordinators.size(); tried++) {
      String url = coordinators.currentUrl();
      try {
        UploadInputResponse response = send(file, sha256, size);
        if (response.hasError()) {
          throw ClientFailure.answered("UploadInput", response.getError());
        }
        return response.getInput();
      } catch (StatusRuntimeException e) {
        if (!Coordinators.unreachable(e)) {
          throw ClientFailure.rejected("UploadInput", url, e);
        }
        failures.add(url + ": " + coordinators.explain(e, url));
        coordinators.failover();
      }
    }
    throw Coordinators.unreachable("UploadInput", failures);
  }

  private UploadInputResponse send(Path file, String sha256, long size) throws IOException {
    Call call = new Call();
    coordinators.async().uploadInput(call);
    try (InputStream in = Files.newInputStream(file)) {
      boolean first = true;
      byte[] buffer = new byte[CHUNK_BYTES];
      while (!call.answer.isDone()) {
        int read = in.readNBytes(buffer, 0, CHUNK_BYTES);
        if (read == 0 && !first) {
          break;
        }
        UploadInputRequest.Builder message =
            UploadInputRequest.newBuilder().setChunk(ByteString.copyFrom(buffer, 0, read));
        if (first) {
          message.setSha256(sha256).setSizeBytes(size);
          first = false;
        }
        if (!call.awaitReady()) {
          break; // answered (early) or failed while we waited
        }
        call.requests.onNext(message.build());
      }
      call.requests.onCompleted();
    } catch (IOException | RuntimeException e) {
      call.requests.cancel("the client stopped the upload", e);
      throw e;
    }
    try {
      return call.answer.get();
    } catch (InterruptedException e) {
      call.requests.cancel("interrupted", e);
      Thread.currentThread().interrupt();
      throw new ClientFailure(ExitCodes.INTERRUPTED, "UploadInput: interrupted");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StatusRuntimeException status) {
        throw status;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** One UploadInput call: its request side (with flow control) and its answer. */
  private static final class Call
      implements ClientResponseObserver<UploadInputRequest, UploadInputResponse> {

    final CompletableFuture<UploadInputResponse> answer = new CompletableFuture<>();
    private final Object readiness = new Object();
    ClientCallStreamObserver<UploadInputRequest> requests;
    private UploadInputResponse response;

    @Override
    public void beforeStart(ClientCallStreamObserver<UploadInputRequest> requestStream) {
      this.requests = requestStream;
      requestStream.setOnReadyHandler(this::wake);
    }

    /** Waits until the call takes another message; false once it has been answered or failed. */
    boolean awaitReady() {
      synchronized (readiness) {
        while (!requests.isReady() && !answer.isDone()) {
          try {
            readiness.wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
          }
        }
      }
      return !answer.isDone();
    }

    private void wake() {
      synchronized (readiness) {
        readiness.notifyAll();
      }
    }

    @Override
    public void onNext(UploadInputResponse value) {
      response = value;
    }

    @Override
    public void onError(Throwable t) {
      answer.completeExceptionally(t);
      wake();
    }

    @Override
    public void onCompleted() {
      if (response == null) {
        answer.completeExceptionally(
            io.grpc.Status.INTERNAL
                .withDescription("UploadInput ended without an answer")
                .asRuntimeException());
      } else {
        answer.complete(response);
      }
      wake();
    }
  }
}
