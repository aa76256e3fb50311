package zisk.distributed.coordinator.store;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import zisk.distributed.common.rules.ProverIds;

/** Position in the prover list (by id): the id of the last prover of a page. */
public record ProverCursor(String afterId) {

  /** Longest token this server issues: base64 of "p|" and the longest prover id. */
  private static final int MAX_TOKEN_LENGTH = 4 * (ProverIds.MAX_LENGTH + 2 + 2) / 3;

  /** An opaque token for {@code next_page_token}. */
  public String encode() {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(("p|" + afterId).getBytes(StandardCharsets.UTF_8));
  }

  /** Parses a token; empty when it is not one this server produced. */
  public static Optional<ProverCursor> decode(String token) {
    if (token.length() > MAX_TOKEN_LENGTH) {
      return Optional.empty();
    }
    try {
      String raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      if (!raw.startsWith("p|")) {
        return Optional.empty();
      }
      String id = raw.substring(2);
      return ProverIds.problem(id).isPresent()
          ? Optional.empty()
          : Optional.of(new ProverCursor(id));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
