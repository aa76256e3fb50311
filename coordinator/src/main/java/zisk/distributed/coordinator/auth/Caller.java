package zisk.distributed.coordinator.auth;

import java.util.Optional;
import zisk.distributed.coordinator.config.AuthConfig.Role;

/**
 * Who is calling, as the authentication interceptor resolved it: the token's name and role, or,
 * without tokens, a caller on loopback (an operator) or an anonymous caller of what is open to all.
 *
 * @param tokenName the token's name; empty without tokens
 * @param proverIds the prover ids a prover token may register; empty for any
 */
public record Caller(Optional<String> tokenName, Role role, Optional<ProverIdPattern> proverIds) {

  /** Without tokens: a caller on this machine may do anything, as in the seed. */
  public static final Caller LOOPBACK_OPERATOR =
      new Caller(Optional.empty(), Role.ADMIN, Optional.empty());

  /** Anyone: without tokens, a ProverStream from elsewhere; with tokens, a HealthCheck. */
  public static final Caller ANONYMOUS =
      new Caller(Optional.empty(), Role.PROVER, Optional.empty());

  /** A client token may cancel and fetch the proof of only the jobs it launched. */
  public boolean ownJobsOnly() {
    return role == Role.CLIENT;
  }

  /** The token name for job_events and jobs.launched_by; null without tokens. */
  public String tokenNameOrNull() {
    return tokenName.orElse(null);
  }

  /** For messages and logs: "token 'ci' (client)" or "the loopback operator". */
  public String describe() {
    return tokenName
        .map(name -> "token '" + name + "' (" + role.word() + ")")
        .orElse(role == Role.ADMIN ? "the loopback operator" : "an anonymous caller");
  }
}
