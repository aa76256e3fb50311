package zisk.distributed.coordinator.auth;

import io.grpc.Status;
import java.util.Optional;
import zisk.distributed.coordinator.config.AuthConfig;

/**
 * Decides whether a call may proceed, and as whom. With tokens, every call but HealthCheck needs a
 * known bearer token whose role covers the RPC. Without tokens (the seed's mode), ProverStream and
 * HealthCheck are open and every other RPC answers only local callers.
 *
 * <p>Refusals say what the caller must do and nothing about what exists.
 */
public final class Gate {

  /** What a call may do: go ahead as a caller, or end with a status. */
  public sealed interface Verdict {
    record Admitted(Caller caller) implements Verdict {}

    record Refused(Status status) implements Verdict {}
  }

  private static final String BEARER = "bearer ";

  /** A secret longer than this is not one of ours (ours are 43 characters); no need to hash it. */
  private static final int MAX_SECRET_LENGTH = 512;

  private final TokenTable tokens;

  public Gate(AuthConfig config) {
    this.tokens = new TokenTable(config);
  }

  public boolean tokensConfigured() {
    return !tokens.isEmpty();
  }

  public int tokenCount() {
    return tokens.size();
  }

  /**
   * @param rpc the RPC's bare name, for example {@code LaunchProof}
   * @param authorization the {@code authorization} header, or null
   * @param local whether the caller is on this machine (loopback, in-process)
   */
  public Verdict admit(String rpc, String authorization, boolean local) {
    if (!tokensConfigured()) {
      return withoutTokens(rpc, local);
    }
    if (AccessPolicy.isOpen(rpc)) {
      return new Verdict.Admitted(Caller.ANONYMOUS);
    }
    if (authorization == null || authorization.isBlank()) {
      return refuse(
          Status.UNAUTHENTICATED,
          "this coordinator requires a token: send the metadata 'authorization: Bearer <secret>'");
    }
    if (authorization.length() <= BEARER.length()
        || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return refuse(
          Status.UNAUTHENTICATED, "the authorization metadata must read 'Bearer <secret>'");
    }
    String secret = authorization.substring(BEARER.length()).strip();
    Optional<Caller> caller =
        secret.length() > MAX_SECRET_LENGTH ? Optional.empty() : tokens.find(secret);
    if (caller.isEmpty()) {
      return refuse(Status.UNAUTHENTICATED, "the bearer token is not valid on this coordinator");
    }
    if (!AccessPolicy.allows(caller.get().role(), rpc)) {
      return refuse(
          Status.PERMISSION_DENIED,
          caller.get().describe()
              + " may not call "
              + rpc
              + "; it needs a token with another role");
    }
    return new Verdict.Admitted(caller.get());
  }

  private static Verdict withoutTokens(String rpc, boolean local) {
    if (AccessPolicy.isOpen(rpc) || rpc.equals(AccessPolicy.PROVER_STREAM)) {
      return new Verdict.Admitted(local ? Caller.LOOPBACK_OPERATOR : Caller.ANONYMOUS);
    }
    if (local) {
      return new Verdict.Admitted(Caller.LOOPBACK_OPERATOR);
    }
    return refuse(
        Status.PERMISSION_DENIED,
        rpc
            + " is an admin call: without tokens configured, this coordinator answers admin calls"
            + " only on loopback; call it from the coordinator's machine, or configure"
            + " [[auth.tokens]] and send a token");
  }

  private static Verdict refuse(Status status, String message) {
    return new Verdict.Refused(status.withDescription(message));
  }
}
