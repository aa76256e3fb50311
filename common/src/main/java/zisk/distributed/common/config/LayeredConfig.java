package zisk.distributed.common.config;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Settings merged from four layers: command-line flags beat the TOML config file, the file beats
 * {@code DISTRIBUTED_*} environment variables, and those beat the built-in defaults (which the
 * caller applies when {@link #get} is empty).
 *
 * <p>Values are kept as text with their origin, so that a parse error can say where a bad value
 * came from ("server.port = 'abc' (from DISTRIBUTED_SERVER_PORT)").
 *
 * <p>Arrays of tables ({@code [[auth.tokens]]}) come only from the file, under keys the caller
 * declares; {@link #tables} answers them in file order.
 *
 * <p>A table of strings ({@code [prover.native.env]}) is one setting when its key is declared as a
 * map key: its entries are kept as {@code NAME=VALUE} items, as a list setting keeps its items, so
 * the environment variable and the flags can give the same setting as words; {@link #assignments}
 * answers it.
 */
public final class LayeredConfig {

  /** A value and the place it was read from. */
  public record Value(String text, String origin) {}

  /**
   * Joins the items of a list in one value's text: a TOML array's strings, a repeated flag's
   * values. NUL, because no path or other setting can contain it.
   */
  public static final String LIST_SEPARATOR = "\0";

  /**
   * One table of an array of tables, for example the second {@code [[auth.tokens]]}.
   *
   * @param name the table's key and position, as errors name it: {@code auth.tokens[1]}
   * @param fields its values by field name, each with the file as origin
   */
  public record Table(String name, Map<String, Value> fields) {
    public Table {
      fields = Map.copyOf(fields);
    }

    /** The value of a field, if the table sets it. */
    public Optional<Value> get(String field) {
      return Optional.ofNullable(fields.get(field));
    }
  }

  private final Map<String, Value> values;
  private final Map<String, List<Table>> tables;

  private LayeredConfig(Map<String, Value> values, Map<String, List<Table>> tables) {
    this.values = values;
    this.tables = tables;
  }

  /**
   * Merges the layers.
   *
   * @param keys every setting the program knows; a file key outside this set is an error
   * @param env the process environment (or a test's map)
   * @param configFile the TOML file, or null for none
   * @param flags flag values by file key; only flags given on the command line
   */
  public static LayeredConfig load(
      Collection<ConfigKey> keys,
      Map<String, String> env,
      Path configFile,
      Map<String, String> flags) {
    return load(keys, List.of(), env, configFile, flags);
  }

  /**
   * Merges the layers, also reading the arrays of tables named in {@code tableKeys} from the file.
   *
   * @param tableKeys dotted keys of the arrays of tables the program knows, for example {@code
   *     auth.tokens}
   */
  public static LayeredConfig load(
      Collection<ConfigKey> keys,
      Collection<String> tableKeys,
      Map<String, String> env,
      Path configFile,
      Map<String, String> flags) {
    return load(keys, tableKeys, Set.of(), env, configFile, flags);
  }

  /**
   * Merges the layers, also reading arrays of tables ({@code tableKeys}) and tables of strings
   * ({@code mapKeys}, each also one of {@code keys}) from the file.
   */
  public static LayeredConfig load(
      Collection<ConfigKey> keys,
      Collection<String> tableKeys,
      Set<String> mapKeys,
      Map<String, String> env,
      Path configFile,
      Map<String, String> flags) {
    Map<String, Value> merged = new HashMap<>();
    Map<String, List<Table>> tables = new HashMap<>();
    for (ConfigKey key : keys) {
      String fromEnv = env.get(key.envVar());
      if (fromEnv != null && !fromEnv.isBlank()) {
        merged.put(key.fileKey(), new Value(fromEnv.trim(), key.envVar()));
      }
    }
    if (configFile != null) {
      TomlFile.Contents contents = TomlFile.read(configFile, mapKeys);
      for (Map.Entry<String, String> entry : contents.values().entrySet()) {
        if (keys.stream().noneMatch(k -> k.fileKey().equals(entry.getKey()))) {
          throw new ConfigException(
              "unknown setting '"
                  + entry.getKey()
                  + "' in "
                  + configFile
                  + "; known settings: "
                  + keys.stream().map(ConfigKey::fileKey).sorted().toList());
        }
        merged.put(entry.getKey(), new Value(entry.getValue(), configFile.toString()));
      }
      for (Map.Entry<String, List<Map<String, String>>> entry : contents.tables().entrySet()) {
        if (!tableKeys.contains(entry.getKey())) {
          throw new ConfigException(
              "setting '" + entry.getKey() + "' in " + configFile + " must be a single value");
        }
        List<Table> read = new ArrayList<>();
        List<Map<String, String>> rows = entry.getValue();
        for (int i = 0; i < rows.size(); i++) {
          Map<String, Value> fields = new LinkedHashMap<>();
          rows.get(i)
              .forEach((field, text) -> fields.put(field, new Value(text, configFile.toString())));
          read.add(new Table(entry.getKey() + "[" + i + "]", fields));
        }
        tables.put(entry.getKey(), List.copyOf(read));
      }
    }
    flags.forEach(
        (fileKey, text) -> {
          if (text != null) {
            merged.put(fileKey, new Value(text, "command line"));
          }
        });
    return new LayeredConfig(merged, tables);
  }

  /** The merged value of a setting, if any layer set it. */
  public Optional<Value> get(String fileKey) {
    return Optional.ofNullable(values.get(fileKey));
  }

  /** The tables of an array of tables declared at load, in file order; empty when none. */
  public List<Table> tables(String fileKey) {
    return tables.getOrDefault(fileKey, List.of());
  }

  public String string(String fileKey, String defaultValue) {
    return get(fileKey).map(Value::text).orElse(defaultValue);
  }

  public int integer(String fileKey, int defaultValue, int min, int max) {
    Optional<Value> value = get(fileKey);
    if (value.isEmpty()) {
      return defaultValue;
    }
    try {
      int parsed = Integer.parseInt(value.get().text());
      if (parsed < min || parsed > max) {
        throw invalid(fileKey, value.get(), "must be between " + min + " and " + max);
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw invalid(fileKey, value.get(), "not a whole number");
    }
  }

  public boolean bool(String fileKey, boolean defaultValue) {
    Optional<Value> value = get(fileKey);
    if (value.isEmpty()) {
      return defaultValue;
    }
    return switch (value.get().text().toLowerCase()) {
      case "true", "yes", "1", "on" -> true;
      case "false", "no", "0", "off" -> false;
      default -> throw invalid(fileKey, value.get(), "expected true or false");
    };
  }

  /** A duration in whole seconds (the unit upstream's configuration uses). */
  public Duration seconds(String fileKey, Duration defaultValue, long minSeconds, long maxSeconds) {
    Optional<Value> value = get(fileKey);
    if (value.isEmpty()) {
      return defaultValue;
    }
    try {
      long parsed = Long.parseLong(value.get().text());
      if (parsed < minSeconds || parsed > maxSeconds) {
        throw invalid(
            fileKey,
            value.get(),
            "must be between " + minSeconds + " and " + maxSeconds + " seconds");
      }
      return Duration.ofSeconds(parsed);
    } catch (NumberFormatException e) {
      throw invalid(fileKey, value.get(), "not a whole number of seconds");
    }
  }

  /** One of a fixed set of words, compared without case. */
  public String choice(String fileKey, String defaultValue, Collection<String> allowed) {
    Optional<Value> value = get(fileKey);
    if (value.isEmpty()) {
      return defaultValue;
    }
    String text = value.get().text().toLowerCase();
    if (!allowed.contains(text)) {
      throw invalid(fileKey, value.get(), "expected one of " + allowed);
    }
    return text;
  }

  /** A file the program reads: when set, it must exist, be a regular file and be readable now. */
  public Optional<Path> readableFile(String fileKey) {
    return get(fileKey)
        .filter(value -> !value.text().isBlank())
        .map(
            value -> {
              Path path = Path.of(value.text());
              unreadable(path)
                  .ifPresent(
                      why -> {
                        throw invalid(fileKey, value, why);
                      });
              return path;
            });
  }

  /** Why the file cannot be read, if it cannot. */
  public static Optional<String> unreadable(Path file) {
    if (!Files.exists(file)) {
      return Optional.of("the file does not exist");
    }
    if (!Files.isRegularFile(file)) {
      return Optional.of("not a regular file");
    }
    if (!Files.isReadable(file)) {
      return Optional.of("the file is not readable by this process");
    }
    return Optional.empty();
  }

  public static ConfigException invalid(String fileKey, Value value, String why) {
    return new ConfigException(
        "invalid "
            + fileKey
            + " '"
            + value.text().replaceAll(LIST_SEPARATOR + "$", "").replace(LIST_SEPARATOR, ", ")
            + "' (from "
            + value.origin()
            + "): "
            + why);
  }

  /**
   * A list of directories: a TOML array or repeated flag, or comma-separated text in the key's
   * environment variable; {@code defaultPath} alone when unset. Blank items are skipped.
   */
  public List<Path> directories(ConfigKey key, Path defaultPath) {
    Optional<Value> value = get(key.fileKey());
    if (value.isEmpty()) {
      return List.of(defaultPath);
    }
    String separator = value.get().origin().equals(key.envVar()) ? "," : LIST_SEPARATOR;
    List<Path> paths = new ArrayList<>();
    for (String item : value.get().text().split(Pattern.quote(separator))) {
      if (item.isBlank()) {
        continue;
      }
      try {
        paths.add(Path.of(item.strip()));
      } catch (InvalidPathException e) {
        throw invalid(key.fileKey(), value.get(), "not a valid path: " + e.getReason());
      }
    }
    if (paths.isEmpty()) {
      throw invalid(key.fileKey(), value.get(), "no directory given");
    }
    return List.copyOf(paths);
  }

  /**
   * An argument vector: a TOML array of strings as written, or text split into words as a shell
   * would (see {@link ShellWords}); empty when unset.
   */
  public List<String> words(String fileKey) {
    Optional<Value> value = get(fileKey);
    if (value.isEmpty()) {
      return List.of();
    }
    String text = value.get().text();
    if (text.contains(LIST_SEPARATOR)) {
      return List.of(text.split(LIST_SEPARATOR));
    }
    try {
      return List.copyOf(ShellWords.split(text));
    } catch (IllegalArgumentException e) {
      throw invalid(fileKey, value.get(), e.getMessage());
    }
  }

  /**
   * {@code NAME=VALUE} assignments, by name in the order given: a table of strings in the file (a
   * map key at load), or words as {@link #words} reads them; empty when unset.
   *
   * @param namePattern what a name must match (a regular expression)
   */
  public Map<String, String> assignments(String fileKey, String namePattern) {
    Map<String, String> assigned = new LinkedHashMap<>();
    for (String word : words(fileKey)) {
      int equals = word.indexOf('=');
      String name = equals < 0 ? word : word.substring(0, equals);
      if (equals < 0 || !name.matches(namePattern)) {
        // Values are not echoed: an environment often carries secrets.
        throw new ConfigException(
            "invalid "
                + fileKey
                + " (from "
                + get(fileKey).orElseThrow().origin()
                + "): expected NAME=VALUE with a NAME matching "
                + namePattern
                + ", got "
                + (equals < 0 ? "an item without '='" : "the name '" + name + "'"));
      }
      assigned.put(name, word.substring(equals + 1));
    }
    return assigned;
  }

  /** Flags by file key, skipping the ones not given; keeps the caller's order for readability. */
  public static Map<String, String> flags(Object... fileKeyThenValue) {
    Map<String, String> flags = new LinkedHashMap<>();
    for (int i = 0; i < fileKeyThenValue.length; i += 2) {
      Object value = fileKeyThenValue[i + 1];
      if (value != null) {
        flags.put((String) fileKeyThenValue[i], value.toString());
      }
    }
    return flags;
  }
}
