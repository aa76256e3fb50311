package zisk.distributed.common.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Settings merged from four layers: command-line flags beat the TOML config file, the file beats
 * {@code DISTRIBUTED_*} environment variables, and those beat the built-in defaults (which the
 * caller applies when {@link #get} is empty).
 *
 * <p>Values are kept as text with their origin, so that a parse error can say where a bad value
 * came from ("server.port = 'abc' (from DISTRIBUTED_SERVER_PORT)").
 */
public final class LayeredConfig {

  /** A value and the place it was read from. */
  public record Value(String text, String origin) {}

  private final Map<String, Value> values;

  private LayeredConfig(Map<String, Value> values) {
    this.values = values;
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
    Map<String, Value> merged = new HashMap<>();
    for (ConfigKey key : keys) {
      String fromEnv = env.get(key.envVar());
      if (fromEnv != null && !fromEnv.isBlank()) {
        merged.put(key.fileKey(), new Value(fromEnv.trim(), key.envVar()));
      }
    }
    if (configFile != null) {
      Map<String, String> fromFile = readToml(configFile);
      for (Map.Entry<String, String> entry : fromFile.entrySet()) {
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
    }
    flags.forEach(
        (fileKey, text) -> {
          if (text != null) {
            merged.put(fileKey, new Value(text, "command line"));
          }
        });
    return new LayeredConfig(merged);
  }

  /** The merged value of a setting, if any layer set it. */
  public Optional<Value> get(String fileKey) {
    return Optional.ofNullable(values.get(fileKey));
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

  public static ConfigException invalid(String fileKey, Value value, String why) {
    return new ConfigException(
        "invalid " + fileKey + " '" + value.text() + "' (from " + value.origin() + "): " + why);
  }

  /** Reads a TOML file into dotted keys: {@code [server] port = 1} becomes {@code server.port}. */
  static Map<String, String> readToml(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException("config file " + file + " does not exist or is not a file");
    }
    try {
      JsonNode root = new TomlMapper().readTree(file.toFile());
      Map<String, String> flat = new TreeMap<>();
      flatten("", root, flat, file);
      return flat;
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
    }
  }

  private static void flatten(String prefix, JsonNode node, Map<String, String> out, Path file) {
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      String key = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
      JsonNode value = field.getValue();
      if (value.isObject()) {
        flatten(key, value, out, file);
      } else if (value.isValueNode()) {
        out.put(key, value.asText());
      } else if (value.isArray() && allText(value)) {
        // An argument vector: kept as shell words, the form its environment variable takes.
        List<String> words = new ArrayList<>();
        value.forEach(element -> words.add(element.asText()));
        out.put(key, ShellWords.join(words));
      } else {
        throw new ConfigException("setting '" + key + "' in " + file + " must be a single value");
      }
    }
  }

  private static boolean allText(JsonNode array) {
    for (JsonNode element : array) {
      if (!element.isTextual()) {
        return false;
      }
    }
    return true;
  }

  /**
   * An argument vector: a TOML array of strings, or text split into words as a shell would (see
   * {@link ShellWords}); empty when unset.
   */
  public List<String> words(String fileKey) {
    Optional<Value> value = get(fileKey);
    if (value.isEmpty()) {
      return List.of();
    }
    try {
      return List.copyOf(ShellWords.split(value.get().text()));
    } catch (IllegalArgumentException e) {
      throw invalid(fileKey, value.get(), e.getMessage());
    }
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
