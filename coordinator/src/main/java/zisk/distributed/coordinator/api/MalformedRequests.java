package zisk.distributed.coordinator.api;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a request that cannot be parsed (a truncated message, invalid UTF-8 in a string field)
 * with INVALID_ARGUMENT and one debug line.
 *
 * <p>gRPC parses a request with the method's marshaller before any handler runs, and a parse
 * failure there becomes UNKNOWN "Application error processing RPC" plus a logged stack trace per
 * call. Here every method of a service takes the raw bytes instead and parses them itself, inside
 * the call, where a failure can be answered properly. The handlers see the same typed messages as
 * before; the service's schema (for reflection) is unchanged.
 */
public final class MalformedRequests {

  private static final Logger log = LoggerFactory.getLogger(MalformedRequests.class);

  /** Hands the bytes of a request through unparsed; they are parsed within the call. */
  private static final MethodDescriptor.Marshaller<InputStream> RAW =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(InputStream value) {
          return value;
        }

        @Override
        public InputStream parse(InputStream stream) {
          return stream.markSupported() ? stream : new BufferedInputStream(stream);
        }
      };

  private MalformedRequests() {}

  /** The same service, answering malformed requests with INVALID_ARGUMENT. */
  public static ServerServiceDefinition guard(ServerServiceDefinition service) {
    ServiceDescriptor original = service.getServiceDescriptor();
    List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
    ServiceDescriptor.Builder descriptor =
        ServiceDescriptor.newBuilder(original.getName())
            .setSchemaDescriptor(original.getSchemaDescriptor());
    for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
      ServerMethodDefinition<InputStream, ?> guarded = guard(method);
      methods.add(guarded);
      descriptor.addMethod(guarded.getMethodDescriptor());
    }
    ServerServiceDefinition.Builder guardedService =
        ServerServiceDefinition.builder(descriptor.build());
    methods.forEach(guardedService::addMethod);
    return guardedService.build();
  }

  private static <Q, R> ServerMethodDefinition<InputStream, R> guard(
      ServerMethodDefinition<Q, R> method) {
    MethodDescriptor<Q, R> typed = method.getMethodDescriptor();
    MethodDescriptor<InputStream, R> raw =
        typed.toBuilder(RAW, typed.getResponseMarshaller()).build();
    return ServerMethodDefinition.create(
        raw,
        (call, headers) ->
            new ParsingListener<>(typed, method.getServerCallHandler(), call, headers));
  }

  /**
   * Parses each request and hands it to the method's own listener; on a parse failure closes the
   * call, tells the handler it is over (as a cancellation, so it cleans up), and ignores the rest.
   */
  private static final class ParsingListener<Q, R> extends ServerCall.Listener<InputStream> {

    private final MethodDescriptor<Q, R> typed;
    private final GuardedCall<Q, R> call;
    private final ServerCall.Listener<Q> delegate;
    private boolean refused;

    ParsingListener(
        MethodDescriptor<Q, R> typed,
        ServerCallHandler<Q, R> handler,
        ServerCall<InputStream, R> call,
        Metadata headers) {
      this.typed = typed;
      this.call = new GuardedCall<>(call, typed);
      this.delegate = handler.startCall(this.call, headers);
    }

    @Override
    public void onMessage(InputStream bytes) {
      if (refused) {
        return;
      }
      Q request;
      try {
        request = typed.parseRequest(bytes);
      } catch (RuntimeException e) {
        refused = true;
        Status status = refusal(e);
        log.debug(
            "{} refused a request it could not parse: {}",
            typed.getFullMethodName(),
            status.getDescription());
        call.closeFromGuard(status);
        delegate.onCancel();
        return;
      }
      delegate.onMessage(request);
    }

    @Override
    public void onHalfClose() {
      if (!refused) {
        delegate.onHalfClose();
      }
    }

    @Override
    public void onCancel() {
      if (!refused) {
        delegate.onCancel();
      }
    }

    @Override
    public void onComplete() {
      if (!refused) {
        delegate.onComplete();
      }
    }

    @Override
    public void onReady() {
      if (!refused) {
        delegate.onReady();
      }
    }

    /** RESOURCE_EXHAUSTED stays what it is; anything else is a malformed request. */
    private static Status refusal(RuntimeException e) {
      if (e instanceof StatusRuntimeException status
          && status.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED) {
        return status.getStatus().withCause(null);
      }
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      String why =
          cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
      return Status.INVALID_ARGUMENT.withDescription(
          "malformed request: not a valid protobuf message (" + why + ")");
    }
  }

  /**
   * The call as the handler sees it. Its writes and the guard's close are serialized, since a
   * stream handler may write from its own threads while the guard closes; once the guard has closed
   * it, the handler's writes are dropped.
   */
  private static final class GuardedCall<Q, R> extends SimpleForwardingServerCall<Q, R> {

    private final ServerCall<InputStream, R> raw;
    private final MethodDescriptor<Q, R> typed;
    private boolean closedByGuard;

    @SuppressWarnings("unchecked")
    GuardedCall(ServerCall<InputStream, R> raw, MethodDescriptor<Q, R> typed) {
      // Only the request type differs, and requests flow to the listener, never through the call.
      super((ServerCall<Q, R>) (ServerCall<?, R>) raw);
      this.raw = raw;
      this.typed = typed;
    }

    @Override
    public MethodDescriptor<Q, R> getMethodDescriptor() {
      return typed;
    }

    @Override
    public synchronized void sendHeaders(Metadata headers) {
      if (!closedByGuard) {
        raw.sendHeaders(headers);
      }
    }

    @Override
    public synchronized void sendMessage(R message) {
      if (!closedByGuard) {
        raw.sendMessage(message);
      }
    }

    @Override
    public synchronized void close(Status status, Metadata trailers) {
      if (!closedByGuard) {
        raw.close(status, trailers);
      }
    }

    synchronized void closeFromGuard(Status status) {
      if (!closedByGuard) {
        closedByGuard = true;
        try {
          raw.close(status, new Metadata());
        } catch (IllegalStateException e) {
          log.debug("The call was already closed: {}", e.getMessage());
        }
      }
    }
  }
}
