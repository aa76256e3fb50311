package zisk.distributed.coordinator.api;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.api.v1.ErrorResponse;
import zisk.distributed.api.v1.GetInputRequest;
import zisk.distributed.api.v1.GetInputResponse;
import zisk.distributed.common.rules.SafeText;
import zisk.distributed.coordinator.store.InputDao;
import zisk.distributed.coordinator.store.Store;

/**
 * GetInput: streams a stored input's chunks, each read from the database only when the client is
 * ready for it ({@code isReady} and the on-ready handler), so a slow prover costs one chunk of
 * memory, never the whole input.
 */
public final class InputDownloads {

  private static final Logger log = LoggerFactory.getLogger(InputDownloads.class);
  private static final String RPC = "GetInput";

  private final Store store;
  private final ErrorMapper errors;

  public InputDownloads(Store store, ErrorMapper errors) {
    this.store = store;
    this.errors = errors;
  }

  void serve(GetInputRequest request, StreamObserver<GetInputResponse> observer) {
    ServerCallStreamObserver<GetInputResponse> call =
        (ServerCallStreamObserver<GetInputResponse>) observer;
    String inputId = request.getInputId().strip().toLowerCase(Locale.ROOT);
    Optional<InputDao.StoredInput> input;
    try {
      if (!InputIds.isValid(inputId)) {
        throw ApiException.invalidArgument(
            "input_id '"
                + SafeText.shorten(request.getInputId())
                + "' is not an input id: 64 hex digits, the SHA-256 of the input");
      }
      input = store.read(tx -> tx.inputs().find(inputId));
    } catch (Exception e) {
      only(call, errors.toErrorResponse(RPC, e));
      return;
    }
    if (input.isEmpty()) {
      only(call, notFound(inputId));
      return;
    }
    Download download = new Download(call, input.get());
    call.setOnCancelHandler(download::cancel);
    call.setOnReadyHandler(download::pump);
    download.pump();
  }

  private static ErrorResponse notFound(String inputId) {
    return ErrorResponse.newBuilder()
        .setCode(ApiException.INPUT_NOT_FOUND)
        .setMessage("input " + inputId + " is not stored (never uploaded, or deleted since)")
        .build();
  }

  private static void only(StreamObserver<GetInputResponse> call, ErrorResponse error) {
    call.onNext(GetInputResponse.newBuilder().setError(error).build());
    call.onCompleted();
  }

  /** One call's progress: sends chunks while the client is ready. */
  private final class Download {

    private final ServerCallStreamObserver<GetInputResponse> call;
    private final InputDao.StoredInput input;
    private int lastSeq = -1;
    private long sent;
    private boolean over;

    Download(ServerCallStreamObserver<GetInputResponse> call, InputDao.StoredInput input) {
      this.call = call;
      this.input = input;
    }

    synchronized void cancel() {
      over = true;
    }

    synchronized void pump() {
      while (!over && call.isReady()) {
        Optional<InputDao.Chunk> next;
        try {
          next = store.read(tx -> tx.inputs().chunkAfter(input.uploadId(), lastSeq));
        } catch (RuntimeException e) {
          end(errors.toErrorResponse(RPC, e));
          return;
        }
        if (next.isEmpty()) {
          if (sent == input.sizeBytes()) {
            over = true;
            call.onCompleted();
          } else {
            end(notFound(input.inputId()));
          }
          return;
        }
        GetInputResponse.Builder message =
            GetInputResponse.newBuilder().setChunk(ByteString.copyFrom(next.get().bytes()));
        if (lastSeq < 0) {
          message.setSizeBytes(input.sizeBytes());
        }
        lastSeq = next.get().seq();
        sent += next.get().bytes().length;
        call.onNext(message.build());
      }
    }

    /** Ends the call: an error message while nothing was sent, else a failed stream. */
    private void end(ErrorResponse error) {
      over = true;
      if (lastSeq < 0) {
        only(call, error);
        return;
      }
      log.warn("GetInput of input {} broke off after {} bytes: {}", input.inputId(), sent, error);
      call.onError(
          Status.UNAVAILABLE
              .withDescription(error.getCode() + ": " + error.getMessage())
              .asRuntimeException());
    }
  }
}
