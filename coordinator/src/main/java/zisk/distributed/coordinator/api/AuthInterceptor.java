package zisk.distributed.coordinator.api;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.api.v1.ProverMessage;
import zisk.distributed.api.v1.ZiskDistributedApiGrpc;
import zisk.distributed.coordinator.auth.Caller;
import zisk.distributed.coordinator.auth.Callers;
import zisk.distributed.coordinator.auth.Gate;
import zisk.distributed.coordinator.auth.ProverIdPattern;

/**
 * Authenticates every call of {@code ZiskDistributedApi} before its handler runs: the {@link Gate}
 * decides, the admitted {@link Caller} travels in the call's {@link Context}, and a prover token
 * bound to a prover-id pattern may only register or reconnect a prover whose id matches it.
 * Installed on that service alone: gRPC health and reflection stay open.
 */
public final class AuthInterceptor implements ServerInterceptor {

  private static final Logger log = LoggerFactory.getLogger(AuthInterceptor.class);

  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private static final String PROVER_STREAM =
      ZiskDistributedApiGrpc.getProverStreamMethod().getBareMethodName();

  private final Gate gate;

  public AuthInterceptor(Gate gate) {
    this.gate = gate;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String rpc = call.getMethodDescriptor().getBareMethodName();
    SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    Gate.Verdict verdict = gate.admit(rpc, headers.get(AUTHORIZATION), isLocal(remote));
    if (verdict instanceof Gate.Verdict.Refused refused) {
      log.debug("{} from {} refused: {}", rpc, remote, refused.status().getDescription());
      call.close(refused.status(), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    Caller caller = ((Gate.Verdict.Admitted) verdict).caller();
    ServerCall.Listener<ReqT> listener =
        Contexts.interceptCall(
            Context.current().withValue(Callers.KEY, caller), call, headers, next);
    if (rpc.equals(PROVER_STREAM) && caller.proverIds().isPresent()) {
      return new ProverIdGuard<>(listener, call, caller, caller.proverIds().get());
    }
    return listener;
  }

  /**
   * Local callers: a loopback address, or a transport that is not IP at all (in-process, Unix
   * domain socket), which only this machine can reach. An unknown address is not local.
   */
  static boolean isLocal(SocketAddress remote) {
    if (remote instanceof InetSocketAddress inet) {
      return inet.getAddress() != null && inet.getAddress().isLoopbackAddress();
    }
    return remote != null;
  }

  /** Ends a ProverStream whose first message names a prover id its token is not bound to. */
  private static final class ProverIdGuard<ReqT, RespT>
      extends SimpleForwardingServerCallListener<ReqT> {

    private final ServerCall<ReqT, RespT> call;
    private final Caller caller;
    private final ProverIdPattern pattern;
    private boolean checked;
    private boolean refused;

    ProverIdGuard(
        ServerCall.Listener<ReqT> delegate,
        ServerCall<ReqT, RespT> call,
        Caller caller,
        ProverIdPattern pattern) {
      super(delegate);
      this.call = call;
      this.caller = caller;
      this.pattern = pattern;
    }

    @Override
    public void onMessage(ReqT message) {
      if (refused) {
        return;
      }
      if (!checked && message instanceof ProverMessage first) {
        checked = true;
        String proverId =
            switch (first.getMessageCase()) {
              case REGISTER -> first.getRegister().getProverId().strip();
              case RECONNECT -> first.getReconnect().getProverId().strip();
              default -> null;
            };
        if (proverId != null && !pattern.matches(proverId)) {
          refused = true;
          log.info("{} tried to register a prover outside '{}'", caller.describe(), pattern);
          // The id is the caller's own input: not echoed, it may be anything.
          call.close(
              Status.PERMISSION_DENIED.withDescription(
                  caller.describe()
                      + " may register only provers whose id matches '"
                      + pattern
                      + "'"),
              new Metadata());
          return;
        }
      }
      super.onMessage(message);
    }

    @Override
    public void onHalfClose() {
      if (!refused) {
        super.onHalfClose();
      }
    }
  }
}
