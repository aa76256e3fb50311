package zisk.distributed.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import zisk.distributed.common.config.ShellWords;

/** Reading the deployment files of the repository: where they are, and systemd units and words. */
final class OpsFiles {

  private OpsFiles() {}

  /**
   * The repository root: the nearest folder up from the working directory with docker-compose.yml.
   */
  static Path root() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("docker-compose.yml"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException(
          "no docker-compose.yml above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A systemd unit as section -> key -> values (a key may repeat), without comments; continuation
   * lines (a trailing backslash) joined.
   */
  static Map<String, Map<String, List<String>>> unit(Path file) {
    Map<String, Map<String, List<String>>> sections = new LinkedHashMap<>();
    Map<String, List<String>> current = null;
    String pending = "";
    for (String raw : read(file).split("\n", -1)) {
      String line = (pending + raw).strip();
      if (line.endsWith("\\")) {
        pending = line.substring(0, line.length() - 1) + " ";
        continue;
      }
      pending = "";
      if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
        continue;
      }
      if (line.startsWith("[") && line.endsWith("]")) {
        current = new LinkedHashMap<>();
        sections.put(line.substring(1, line.length() - 1), current);
        continue;
      }
      int eq = line.indexOf('=');
      if (current == null || eq < 1) {
        throw new IllegalArgumentException(file + ": not a unit line: " + line);
      }
      current
          .computeIfAbsent(line.substring(0, eq).strip(), k -> new ArrayList<>())
          .add(line.substring(eq + 1).strip());
    }
    return sections;
  }

  /** A command line split into words as sh does (the worker's --prover-command rules). */
  static List<String> words(String line) {
    return ShellWords.split(line);
  }
}
