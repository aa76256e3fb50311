package zisk.distributed.coordinator.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zisk.distributed.common.config.ConfigException;
import zisk.distributed.common.config.LayeredConfig;
import zisk.distributed.coordinator.config.AuthConfig.Role;

class AuthSettingsTest {

  private static final String HASH_A = "a".repeat(64);
  private static final String HASH_B = "0123456789ABCDEF".repeat(4);

  @TempDir Path dir;

  @Test
  void noTokensByDefault() {
    assertFalse(CoordinatorSettings.resolve(Map.of(), null, Map.of()).auth().enabled());
  }

  @Test
  void readsInlineTokenTables() throws Exception {
    Path file =
        write(
            "coordinator.toml",
            """
            [server]
            port = 9000

            [[auth.tokens]]
            name = "gpu-fleet"
            role = "prover"
            sha256 = "%s"
            prover_ids = "gpu-*"

            [[auth.tokens]]
            name = "ci"
            role = "Client"
            sha256 = "%s"
            """
                .formatted(HASH_A, HASH_B));

    AuthConfig auth = CoordinatorSettings.resolve(Map.of(), file, Map.of()).auth();

    assertEquals(
        List.of(
            new AuthConfig.Token("gpu-fleet", Role.PROVER, HASH_A, Optional.of("gpu-*")),
            new AuthConfig.Token("ci", Role.CLIENT, HASH_B.toLowerCase(), Optional.empty())),
        auth.tokens());
  }

  @Test
  void tokensFileFromEnvironmentFlagOrConfigAddsItsTokens() throws Exception {
    Path tokens = write("tokens.toml", table("ops", "admin", HASH_A));
    Path config = write("coordinator.toml", table("ci", "client", HASH_B));

    AuthConfig fromEnv =
        CoordinatorSettings.resolve(
                Map.of("DISTRIBUTED_AUTH_TOKENS_FILE", tokens.toString()), config, Map.of())
            .auth();
    AuthConfig fromFlag =
        CoordinatorSettings.resolve(
                Map.of(), null, LayeredConfig.flags("auth.tokens_file", tokens.toString()))
            .auth();

    assertEquals(List.of("ci", "ops"), fromEnv.tokens().stream().map(t -> t.name()).toList());
    assertEquals(Role.ADMIN, fromFlag.tokens().get(0).role());
  }

  @Test
  void errorsNameTheTableAndField() throws Exception {
    assertError(table("ci", "superuser", HASH_A), "auth.tokens[0].role", "prover, client");
    assertError(table("ci", "client", "abc"), "auth.tokens[0].sha256", "64 hex");
    assertError(table("ci", "client", "g".repeat(64)), "auth.tokens[0].sha256", "64 hex");
    assertError(table("has space", "client", HASH_A), "auth.tokens[0].name", "letters");
    assertError(
        table("ci", "client", HASH_A) + "prover_ids = \"gpu-*\"\n",
        "auth.tokens[0].prover_ids",
        "only prover tokens");
    assertError(
        table("ci", "client", HASH_A) + table("ci", "reader", HASH_B),
        "auth.tokens[1].name 'ci'",
        "unique");
    assertError(
        "[[auth.tokens]]\nname = \"ci\"\nrole = \"client\"\n", "auth.tokens[0] has no sha256", "");
    assertError(
        table("ci", "client", HASH_A) + table("ops", "admin", HASH_A.toUpperCase()),
        "auth.tokens[1].sha256",
        "same secret");
    assertError(
        table("ci", "client", HASH_A) + "secret = \"hunter2\"\n",
        "unknown field 'secret' in auth.tokens[0]",
        "never the secret");
    assertError("[[auth.other]]\nname = \"x\"\n", "auth.other", "single value");
  }

  @Test
  void tokensFileProblemsAreNamed() throws Exception {
    Path empty = write("empty.toml", "");
    Path stray = write("stray.toml", "[server]\nport = 1\n");

    ConfigException noTokens =
        assertThrows(
            ConfigException.class,
            () ->
                CoordinatorSettings.resolve(
                    Map.of("DISTRIBUTED_AUTH_TOKENS_FILE", empty.toString()), null, Map.of()));
    ConfigException unknown =
        assertThrows(
            ConfigException.class,
            () ->
                CoordinatorSettings.resolve(
                    Map.of("DISTRIBUTED_AUTH_TOKENS_FILE", stray.toString()), null, Map.of()));
    ConfigException missing =
        assertThrows(
            ConfigException.class,
            () ->
                CoordinatorSettings.resolve(
                    Map.of("DISTRIBUTED_AUTH_TOKENS_FILE", dir.resolve("nope").toString()),
                    null,
                    Map.of()));

    assertTrue(noTokens.getMessage().contains("lists no [[auth.tokens]]"), noTokens.getMessage());
    assertTrue(
        unknown.getMessage().contains("auth.tokens_file")
            && unknown.getMessage().contains("server.port"),
        unknown.getMessage());
    assertTrue(
        missing.getMessage().contains("DISTRIBUTED_AUTH_TOKENS_FILE")
            && missing.getMessage().contains("does not exist"),
        missing.getMessage());
  }

  private void assertError(String toml, String names, String says) throws Exception {
    Path file = write("bad.toml", toml);
    ConfigException error =
        assertThrows(
            ConfigException.class, () -> CoordinatorSettings.resolve(Map.of(), file, Map.of()));
    assertTrue(
        error.getMessage().contains(names) && error.getMessage().contains(says),
        error.getMessage());
  }

  private static String table(String name, String role, String sha256) {
    return "[[auth.tokens]]\nname = \"%s\"\nrole = \"%s\"\nsha256 = \"%s\"\n"
        .formatted(name, role, sha256);
  }

  private Path write(String name, String text) throws Exception {
    return Files.writeString(dir.resolve(name), text);
  }
}
