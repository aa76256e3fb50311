package zisk.distributed.coordinator.testing;

import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import zisk.distributed.coordinator.config.AuthConfig;

/** Tokens for tests: secrets, their configuration entries, and channels that present them. */
public final class BearerTokens {

  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private BearerTokens() {}

  /** The configuration entry for a secret, as `zisk token new` would print it. */
  public static AuthConfig.Token token(String name, AuthConfig.Role role, String secret) {
    return new AuthConfig.Token(name, role, sha256Hex(secret), Optional.empty());
  }

  public static String sha256Hex(String secret) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A channel whose calls carry {@code authorization: Bearer <secret>}. */
  public static Channel withToken(Channel channel, String secret) {
    return withAuthorization(channel, "Bearer " + secret);
  }

  /** A channel whose calls carry this exact authorization value. */
  public static Channel withAuthorization(Channel channel, String value) {
    Metadata headers = new Metadata();
    headers.put(AUTHORIZATION, value);
    return ClientInterceptors.intercept(
        channel, MetadataUtils.newAttachHeadersInterceptor(headers));
  }
}
