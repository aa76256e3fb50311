package zisk.distributed.coordinator.api;

import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;

/**
 * Holds every inbound message to a per-call limit while it is still arriving, so an oversized
 * message is refused with RESOURCE_EXHAUSTED after at most the limit has been buffered, not after
 * the whole of it.
 *
 * <p>grpc-java has one inbound limit per server (checked against each message's length prefix) and
 * no per-call setter on the server side. The server-wide limit is therefore the largest any call
 * may send (a registered prover's results), and this stream tracer enforces the smaller limit of
 * every other call: the deframer reports each chunk of a message body to {@link
 * ServerStreamTracer#inboundWireSize} as it reads it from the socket, and the exception thrown
 * there fails the stream exactly as gRPC's own size check does. Every call starts at {@code
 * smallBytes}; a prover's stream is raised to {@code proverBytes} once it has registered ({@link
 * #raiseCurrentCall}). Compressed messages are refused by the server altogether (see
 * CoordinatorServer), so the bytes counted on the wire are the bytes parsed.
 *
 * <p>The in-process transport, used by tests, reports no wire sizes and is not limited.
 */
public final class MessageLimits extends ServerStreamTracer.Factory {

  private static final Context.Key<CallLimit> CALL_LIMIT = Context.key("zisk-message-limit");

  private final int smallBytes;
  private final int proverBytes;

  public MessageLimits(int smallBytes, int proverBytes) {
    this.smallBytes = smallBytes;
    this.proverBytes = Math.max(smallBytes, proverBytes);
  }

  /** The server-wide limit: the largest message any call may send. */
  public int serverLimit() {
    return proverBytes;
  }

  @Override
  public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
    return new CallLimit(smallBytes);
  }

  /**
   * The limit of the call whose handler is running on this thread (no-op outside a call), to be
   * raised once its prover has registered.
   */
  public Runnable raiseCurrentCall() {
    CallLimit limit = CALL_LIMIT.get();
    return limit == null ? () -> {} : () -> limit.raiseTo(proverBytes);
  }

  /** One stream's limit. The deframer calls it from the stream's transport thread only. */
  private static final class CallLimit extends ServerStreamTracer {

    private volatile int limit;
    private long bodyBytes;

    CallLimit(int limit) {
      this.limit = limit;
    }

    void raiseTo(int bytes) {
      limit = bytes;
    }

    @Override
    public Context filterContext(Context context) {
      return context.withValue(CALL_LIMIT, this);
    }

    @Override
    public void inboundMessage(int seqNo) {
      bodyBytes = 0;
    }

    @Override
    public void inboundWireSize(long bytes) {
      bodyBytes += bytes;
      int current = limit;
      if (bodyBytes > current) {
        throw Status.RESOURCE_EXHAUSTED
            .withDescription(
                "message larger than "
                    + current
                    + " bytes, the limit of this call (only a registered prover's stream may"
                    + " send more, up to the coordinator's server.max_prover_message_bytes)")
            .asRuntimeException();
      }
    }
  }
}
