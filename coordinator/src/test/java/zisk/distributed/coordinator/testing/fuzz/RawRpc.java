package zisk.distributed.coordinator.testing.fuzz;

import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Calls a method with raw bytes as the request, whatever they are, so that malformed protobuf
 * reaches the server as a client would send it over the wire; answers are kept as bytes too and
 * parsed by the caller.
 */
public final class RawRpc {

  private static final MethodDescriptor.Marshaller<byte[]> BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  private RawRpc() {}

  /** The method with the same name and kind, carrying bytes. */
  public static MethodDescriptor<byte[], byte[]> raw(MethodDescriptor<?, ?> typed) {
    return typed.toBuilder(BYTES, BYTES).build();
  }

  /** The request type's default instance, from the method's marshaller. */
  public static Message requestPrototype(MethodDescriptor<?, ?> typed) {
    return (Message)
        ((MethodDescriptor.PrototypeMarshaller<?>) typed.getRequestMarshaller())
            .getMessagePrototype();
  }

  public static Message responsePrototype(MethodDescriptor<?, ?> typed) {
    return (Message)
        ((MethodDescriptor.PrototypeMarshaller<?>) typed.getResponseMarshaller())
            .getMessagePrototype();
  }

  /** What a unary call answered: the response bytes, or the status it failed with. */
  public record Answer(byte[] response, Status status) {
    public boolean failed() {
      return status != null;
    }
  }

  public static Answer unary(Channel channel, MethodDescriptor<?, ?> typed, byte[] request) {
    try {
      byte[] response =
          ClientCalls.blockingUnaryCall(
              channel,
              raw(typed),
              CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS),
              request);
      return new Answer(response, null);
    } catch (StatusRuntimeException e) {
      return new Answer(null, e.getStatus());
    }
  }

  /** One raw bidirectional stream: writes bytes, records what comes back and how it ended. */
  public static final class Stream implements ClientResponseObserver<byte[], byte[]> {
    private final List<byte[]> received = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Status> ended = new CompletableFuture<>();
    private ClientCallStreamObserver<byte[]> requests;

    public static Stream open(Channel channel, MethodDescriptor<?, ?> typed) {
      Stream stream = new Stream();
      ClientCalls.asyncBidiStreamingCall(channel.newCall(raw(typed), CallOptions.DEFAULT), stream);
      return stream;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<byte[]> stream) {
      requests = stream;
    }

    public void send(byte[] message) {
      if (!ended.isDone()) {
        requests.onNext(message);
      }
    }

    public void halfClose() {
      requests.onCompleted();
    }

    public void cancel() {
      requests.cancel("fuzz test gives up", null);
    }

    public List<byte[]> received() {
      return received;
    }

    public CompletableFuture<Status> ended() {
      return ended;
    }

    @Override
    public void onNext(byte[] value) {
      received.add(value);
    }

    @Override
    public void onError(Throwable error) {
      ended.complete(Status.fromThrowable(error));
    }

    @Override
    public void onCompleted() {
      ended.complete(Status.OK);
    }
  }
}
