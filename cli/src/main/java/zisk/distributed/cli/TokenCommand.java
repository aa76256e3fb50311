package zisk.distributed.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import zisk.distributed.common.rules.ProverIds;
import zisk.distributed.coordinator.config.AuthConfig.Role;
import zisk.distributed.coordinator.config.AuthSettings;

/** {@code zisk token}: makes bearer tokens for a coordinator's {@code [[auth.tokens]]}. */
@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    description = "Bearer tokens for a coordinator: `zisk token new` makes one.",
    subcommands = {TokenCommand.NewToken.class})
public final class TokenCommand {

  /** 32 random bytes: as strong as the SHA-256 that guards them. */
  static final int SECRET_BYTES = 32;

  /** {@code zisk token new --role ROLE --name NAME}: a fresh secret and its TOML lines. */
  @Command(
      name = "new",
      mixinStandardHelpOptions = true,
      description = {
        "Prints a fresh random secret and the [[auth.tokens]] lines for the coordinator's config",
        "file (or its auth.tokens_file). The coordinator stores only the secret's SHA-256: keep",
        "the secret and give it to the caller that will use it."
      })
  static final class NewToken implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(
        names = "--role",
        required = true,
        paramLabel = "ROLE",
        description = "prover, client, reader or admin.")
    String role;

    @Option(
        names = "--name",
        required = true,
        paramLabel = "NAME",
        description = "Names the holder in logs and job_events (letters, digits, '.', '_', '-').")
    String name;

    @Option(
        names = "--prover-ids",
        paramLabel = "PATTERN",
        description = "Prover tokens only: a glob (* and ?) the registering prover id must match.")
    String proverIds;

    private final SecureRandom random = new SecureRandom();

    @Override
    public Integer call() {
      Role parsed =
          Role.fromWord(role)
              .orElseThrow(
                  () -> usage("--role '" + role + "': expected prover, client, reader or admin"));
      AuthSettings.nameProblem(name)
          .ifPresent(
              problem -> {
                throw usage("--name '" + name + "': " + problem);
              });
      Optional<String> pattern = Optional.ofNullable(proverIds);
      if (pattern.isPresent() && parsed != Role.PROVER) {
        throw usage("--prover-ids applies to prover tokens only");
      }
      pattern
          .flatMap(ProverIds::problem)
          .ifPresent(
              problem -> {
                throw usage("--prover-ids: " + problem);
              });

      byte[] bytes = new byte[SECRET_BYTES];
      random.nextBytes(bytes);
      String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);

      PrintWriter out = spec.commandLine().getOut();
      out.println("Secret of token '" + name + "' (" + parsed.word() + "), shown only this once:");
      out.println();
      out.println("    " + secret);
      out.println();
      out.println("Keep it, and give it only to the caller that will use it: workers take it as");
      out.println(
          "--token, DISTRIBUTED_TOKEN or auth.token; client commands as --token or ZISK_TOKEN.");
      out.println();
      out.println("Add these lines to the coordinator's config file or its auth.tokens_file:");
      out.println();
      out.println("[[auth.tokens]]");
      out.println("name = \"" + name + "\"");
      out.println("role = \"" + parsed.word() + "\"");
      out.println("sha256 = \"" + sha256Hex(secret) + "\"");
      pattern.ifPresent(glob -> out.println("prover_ids = \"" + glob + "\""));
      out.flush();
      return 0;
    }

    private ParameterException usage(String message) {
      return new ParameterException(spec.commandLine(), message);
    }
  }

  static String sha256Hex(String secret) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
