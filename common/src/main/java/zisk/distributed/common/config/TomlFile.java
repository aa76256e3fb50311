package zisk.distributed.common.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A TOML config file as {@link LayeredConfig} reads it: single values and lists by dotted key,
 * arrays of tables, and tables of strings kept whole where the caller says so.
 */
final class TomlFile {

  private TomlFile() {}

  /** A TOML file's single values by dotted key, and its arrays of tables (each table flattened). */
  record Contents(Map<String, String> values, Map<String, List<Map<String, String>>> tables) {}

  /**
   * Reads a TOML file into dotted keys ({@code [server] port = 1} becomes {@code server.port}),
   * keeping each table named in {@code mapKeys} as one setting.
   */
  static Contents read(Path file, Set<String> mapKeys) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException("config file " + file + " does not exist or is not a file");
    }
    try {
      JsonNode root = new TomlMapper().readTree(file.toFile());
      Contents contents = new Contents(new TreeMap<>(), new TreeMap<>());
      flatten("", root, contents, file, mapKeys);
      return contents;
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
    }
  }

  private static void flatten(
      String prefix, JsonNode node, Contents out, Path file, Set<String> mapKeys) {
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      String key = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
      JsonNode value = field.getValue();
      if (value.isObject() && mapKeys.contains(key)) {
        out.values().put(key, assignmentsOf(key, value, file));
      } else if (value.isObject()) {
        flatten(key, value, out, file, mapKeys);
      } else if (value.isValueNode()) {
        out.values().put(key, value.asText());
      } else if (isArrayOfTables(value)) {
        List<Map<String, String>> rows = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
          Contents row = new Contents(new TreeMap<>(), new TreeMap<>());
          flatten("", value.get(i), row, file, Set.of());
          if (!row.tables().isEmpty()) {
            throw new ConfigException(
                "setting '" + key + "[" + i + "]' in " + file + " holds nested tables");
          }
          rows.add(row.values());
        }
        out.tables().put(key, rows);
      } else if (value.isArray() && allValues(value)) {
        List<String> items = new ArrayList<>();
        value.forEach(item -> items.add(item.asText()));
        // Always ends with the separator, so even a one-item array reads back as a list.
        out.values()
            .put(
                key,
                String.join(LayeredConfig.LIST_SEPARATOR, items) + LayeredConfig.LIST_SEPARATOR);
      } else {
        throw new ConfigException(
            "setting '" + key + "' in " + file + " must be a single value or an array of values");
      }
    }
  }

  /** A table of strings as {@code NAME=VALUE} items, each ended by the list separator. */
  private static String assignmentsOf(String key, JsonNode table, Path file) {
    StringBuilder items = new StringBuilder();
    Iterator<Map.Entry<String, JsonNode>> entries = table.fields();
    while (entries.hasNext()) {
      Map.Entry<String, JsonNode> entry = entries.next();
      if (!entry.getValue().isValueNode()) {
        throw new ConfigException(
            "setting '" + key + "." + entry.getKey() + "' in " + file + " must be a single value");
      }
      items.append(entry.getKey()).append('=').append(entry.getValue().asText());
      items.append(LayeredConfig.LIST_SEPARATOR);
    }
    return items.toString();
  }

  private static boolean isArrayOfTables(JsonNode value) {
    if (!value.isArray() || value.isEmpty()) {
      return false;
    }
    for (JsonNode element : value) {
      if (!element.isObject()) {
        return false;
      }
    }
    return true;
  }

  private static boolean allValues(JsonNode array) {
    for (JsonNode item : array) {
      if (!item.isValueNode()) {
        return false;
      }
    }
    return true;
  }
}
