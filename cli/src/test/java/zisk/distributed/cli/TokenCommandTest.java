package zisk.distributed.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import zisk.distributed.coordinator.config.AuthConfig;
import zisk.distributed.coordinator.config.AuthConfig.Role;
import zisk.distributed.coordinator.config.CoordinatorSettings;

class TokenCommandTest {

  @TempDir Path dir;

  @Test
  void printsASecretAndTheTomlLinesTheCoordinatorReads() throws Exception {
    Output first =
        run("token", "new", "--role", "prover", "--name", "gpu-fleet", "--prover-ids", "gpu-*");
    Output second = run("token", "new", "--role", "prover", "--name", "gpu-fleet");

    assertEquals(0, first.status(), first.err());
    String secret = secretOf(first.out());
    assertEquals(43, secret.length(), "32 random bytes in URL-safe base64");
    assertNotEquals(secret, secretOf(second.out()));
    assertTrue(first.out().contains("give it only to the caller"), first.out());
    String toml = first.out().substring(first.out().indexOf("[[auth.tokens]]"));
    assertTrue(toml.contains("sha256 = \"" + TokenCommand.sha256Hex(secret) + "\""), toml);
    assertTrue(!toml.contains(secret), "the TOML lines never hold the secret");

    // The printed lines are what the coordinator's configuration accepts, as they are.
    Path tokens = Files.writeString(dir.resolve("tokens.toml"), toml);
    AuthConfig auth =
        CoordinatorSettings.resolve(
                Map.of("DISTRIBUTED_AUTH_TOKENS_FILE", tokens.toString()), null, Map.of())
            .auth();
    assertEquals(
        List.of(
            new AuthConfig.Token(
                "gpu-fleet", Role.PROVER, TokenCommand.sha256Hex(secret), Optional.of("gpu-*"))),
        auth.tokens());
  }

  @Test
  void badArgumentsAreUsageErrors() {
    Output role = run("token", "new", "--role", "root", "--name", "x");
    Output name = run("token", "new", "--role", "client", "--name", "two words");
    Output pattern = run("token", "new", "--role", "client", "--name", "ci", "--prover-ids", "a*");

    assertEquals(2, role.status());
    assertTrue(role.err().contains("expected prover, client, reader or admin"), role.err());
    assertEquals(2, name.status());
    assertEquals(2, pattern.status());
    assertTrue(pattern.err().contains("prover tokens only"), pattern.err());
  }

  private record Output(int status, String out, String err) {}

  private static Output run(String... args) {
    CommandLine zisk = Zisk.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    zisk.setOut(new PrintWriter(out));
    zisk.setErr(new PrintWriter(err));
    int status = zisk.execute(args);
    return new Output(status, out.toString(), err.toString());
  }

  /** The secret is the one indented line of the output. */
  private static String secretOf(String out) {
    return out.lines()
        .filter(line -> line.startsWith("    "))
        .map(String::strip)
        .findFirst()
        .orElseThrow();
  }
}
