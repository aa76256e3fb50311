package zisk.distributed.coordinator.config;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Who may call the coordinator: the bearer tokens it knows. No tokens means the seed's mode: admin
 * calls from loopback only.
 *
 * @param tokens every token, from {@code [[auth.tokens]]} and {@code auth.tokens_file}
 */
public record AuthConfig(List<Token> tokens) {

  public static final AuthConfig NONE = new AuthConfig(List.of());

  public AuthConfig {
    tokens = List.copyOf(tokens);
  }

  /** What a token's holder may do; see the README's roles table. */
  public enum Role {
    PROVER,
    CLIENT,
    READER,
    ADMIN;

    /** The role as configuration spells it: {@code prover}, {@code client}, ... */
    public String word() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The role a word names, ignoring case and surrounding blanks. */
    public static Optional<Role> fromWord(String word) {
      for (Role role : values()) {
        if (role.word().equals(word.strip().toLowerCase(Locale.ROOT))) {
          return Optional.of(role);
        }
      }
      return Optional.empty();
    }
  }

  /**
   * One token: never the secret, only its SHA-256.
   *
   * @param name names the holder in logs and job_events
   * @param sha256 lower-case hex SHA-256 of the secret (64 characters)
   * @param proverIds for prover tokens, a glob ({@code *}, {@code ?}) the registering prover id
   *     must match
   */
  public record Token(String name, Role role, String sha256, Optional<String> proverIds) {
    @Override
    public String toString() {
      return "Token[" + name + ", " + role.word() + proverIds.map(p -> ", " + p).orElse("") + "]";
    }
  }

  public boolean enabled() {
    return !tokens.isEmpty();
  }
}
