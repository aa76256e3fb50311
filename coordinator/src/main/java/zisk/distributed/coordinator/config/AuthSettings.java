package zisk.distributed.coordinator.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import zisk.distributed.common.config.ConfigException;
import zisk.distributed.common.config.LayeredConfig;
import zisk.distributed.common.config.LayeredConfig.Table;
import zisk.distributed.common.config.LayeredConfig.Value;
import zisk.distributed.common.rules.ProverIds;

/**
 * Reads and validates the {@code [[auth.tokens]]} tables, inline and from {@code auth.tokens_file}
 * (same format). Every error names the table and field it is about.
 */
public final class AuthSettings {

  public static final String TOKENS = "auth.tokens";
  public static final String TOKENS_FILE = "auth.tokens_file";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
  private static final Set<String> FIELDS = Set.of("name", "role", "sha256", "prover_ids");

  private AuthSettings() {}

  /** The tokens of the config file's tables and of the tokens file, if one is named. */
  static AuthConfig resolve(LayeredConfig config) {
    List<Table> tables = new ArrayList<>(config.tables(TOKENS));
    Optional<Value> file = config.get(TOKENS_FILE);
    if (file.isPresent()) {
      List<Table> fromFile = readTokensFile(file.get());
      if (fromFile.isEmpty()) {
        throw LayeredConfig.invalid(
            TOKENS_FILE, file.get(), "the file lists no [[" + TOKENS + "]] tables");
      }
      tables.addAll(fromFile);
    }
    List<AuthConfig.Token> tokens = new ArrayList<>();
    Set<String> names = new HashSet<>();
    Set<String> hashes = new HashSet<>();
    for (Table table : tables) {
      AuthConfig.Token token = token(table);
      if (!hashes.add(token.sha256())) {
        throw new ConfigException(
            table.name()
                + ".sha256 (from "
                + table.get("sha256").orElseThrow().origin()
                + "): another token has the same secret; give each token its own");
      }
      if (!names.add(token.name())) {
        throw new ConfigException(
            table.name()
                + ".name '"
                + token.name()
                + "' (from "
                + table.get("name").orElseThrow().origin()
                + "): another token has the same name; names must be unique");
      }
      tokens.add(token);
    }
    return new AuthConfig(tokens);
  }

  private static List<Table> readTokensFile(Value file) {
    try {
      return LayeredConfig.load(
              List.of(), List.of(TOKENS), Map.of(), Path.of(file.text()), Map.of())
          .tables(TOKENS);
    } catch (ConfigException e) {
      throw new ConfigException(
          "invalid " + TOKENS_FILE + " (from " + file.origin() + "): " + e.getMessage(), e);
    }
  }

  private static AuthConfig.Token token(Table table) {
    for (Map.Entry<String, Value> field : table.fields().entrySet()) {
      if (!FIELDS.contains(field.getKey())) {
        throw new ConfigException(
            "unknown field '"
                + field.getKey()
                + "' in "
                + table.name()
                + " (from "
                + field.getValue().origin()
                + "); known fields: name, role, sha256, prover_ids (never the secret itself)");
      }
    }
    Value name = required(table, "name");
    Optional<String> badName = nameProblem(name.text());
    if (badName.isPresent()) {
      throw invalid(table, "name", name, badName.get());
    }
    Value roleText = required(table, "role");
    AuthConfig.Role role = role(table, roleText);
    Value sha256 = required(table, "sha256");
    if (!SHA256.matcher(sha256.text()).matches()) {
      throw invalid(
          table,
          "sha256",
          sha256,
          "expected the 64 hex characters of the secret's SHA-256 (`./zisk token new` prints it)");
    }
    Optional<String> proverIds = table.get("prover_ids").map(v -> proverIds(table, role, v));
    return new AuthConfig.Token(name.text(), role, sha256.text().toLowerCase(), proverIds);
  }

  private static AuthConfig.Role role(Table table, Value value) {
    return AuthConfig.Role.fromWord(value.text())
        .orElseThrow(
            () -> invalid(table, "role", value, "expected prover, client, reader or admin"));
  }

  /** What is wrong with a token name, if anything (shared with `zisk token new`). */
  public static Optional<String> nameProblem(String name) {
    return NAME.matcher(name).matches()
        ? Optional.empty()
        : Optional.of("1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit");
  }

  private static String proverIds(Table table, AuthConfig.Role role, Value value) {
    if (role != AuthConfig.Role.PROVER) {
      throw invalid(table, "prover_ids", value, "only prover tokens are bound to prover ids");
    }
    // A pattern obeys the prover id rules, with * and ? as wildcards.
    Optional<String> problem = ProverIds.problem(value.text());
    if (problem.isPresent()) {
      throw invalid(table, "prover_ids", value, problem.get());
    }
    return value.text();
  }

  private static Value required(Table table, String field) {
    return table
        .get(field)
        .filter(v -> !v.text().isBlank())
        .orElseThrow(
            () ->
                new ConfigException(
                    table.name()
                        + " has no "
                        + field
                        + "; every token needs name, role and sha256"));
  }

  private static ConfigException invalid(Table table, String field, Value value, String why) {
    return LayeredConfig.invalid(table.name() + "." + field, value, why);
  }
}
