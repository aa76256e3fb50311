package zisk.distributed.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayeredConfigTest {

  private static final List<ConfigKey> KEYS =
      List.of(
          new ConfigKey("server.host", "DISTRIBUTED_SERVER_HOST", "bind address"),
          new ConfigKey("server.port", "DISTRIBUTED_SERVER_PORT", "port"),
          new ConfigKey(
              "connection.heartbeat_timeout_seconds",
              "DISTRIBUTED_HEARTBEAT_TIMEOUT_SECONDS",
              "timeout"));

  @TempDir Path dir;

  @Test
  void flagsBeatFileBeatsEnvironmentBeatsDefaults() throws Exception {
    Path file =
        Files.writeString(dir.resolve("c.toml"), "[server]\nport = 9000\nhost = \"10.0.0.1\"\n");
    Map<String, String> env =
        Map.of(
            "DISTRIBUTED_SERVER_PORT",
            "7000",
            "DISTRIBUTED_SERVER_HOST",
            "10.0.0.2",
            "DISTRIBUTED_HEARTBEAT_TIMEOUT_SECONDS",
            "12");

    LayeredConfig config =
        LayeredConfig.load(KEYS, env, file, LayeredConfig.flags("server.port", 9100));

    assertEquals(9100, config.integer("server.port", 8080, 1, 65535));
    assertEquals("10.0.0.1", config.string("server.host", "0.0.0.0"));
    assertEquals(
        Duration.ofSeconds(12),
        config.seconds("connection.heartbeat_timeout_seconds", Duration.ofSeconds(30), 1, 3600));
    assertEquals("command line", config.get("server.port").orElseThrow().origin());
  }

  @Test
  void defaultsApplyWhenNoLayerSetsAValue() {
    LayeredConfig config = LayeredConfig.load(KEYS, Map.of(), null, Map.of());

    assertEquals(8080, config.integer("server.port", 8080, 1, 65535));
    assertEquals("0.0.0.0", config.string("server.host", "0.0.0.0"));
  }

  @Test
  void environmentBeatsDefaults() {
    LayeredConfig config =
        LayeredConfig.load(KEYS, Map.of("DISTRIBUTED_SERVER_PORT", "7000"), null, Map.of());

    assertEquals(7000, config.integer("server.port", 8080, 1, 65535));
  }

  @Test
  void badValueNamesTheSettingAndItsOrigin() {
    LayeredConfig config =
        LayeredConfig.load(KEYS, Map.of("DISTRIBUTED_SERVER_PORT", "eighty"), null, Map.of());

    ConfigException error =
        assertThrows(ConfigException.class, () -> config.integer("server.port", 8080, 1, 65535));
    assertTrue(error.getMessage().contains("server.port"), error.getMessage());
    assertTrue(error.getMessage().contains("DISTRIBUTED_SERVER_PORT"), error.getMessage());
  }

  @Test
  void outOfRangeValueIsRejected() {
    LayeredConfig config =
        LayeredConfig.load(KEYS, Map.of(), null, LayeredConfig.flags("server.port", 70000));

    ConfigException error =
        assertThrows(ConfigException.class, () -> config.integer("server.port", 8080, 1, 65535));
    assertTrue(error.getMessage().contains("between 1 and 65535"), error.getMessage());
  }

  @Test
  void anArrayOfValuesIsOneValueWithItsItemsJoined() throws Exception {
    Path file = Files.writeString(dir.resolve("c.toml"), "[server]\nhost = [\"a\", \"b,c\"]\n");

    LayeredConfig config = LayeredConfig.load(KEYS, Map.of(), file, Map.of());

    assertEquals(
        "a" + LayeredConfig.LIST_SEPARATOR + "b,c" + LayeredConfig.LIST_SEPARATOR,
        config.string("server.host", ""));
    assertEquals(List.of("a", "b,c"), config.words("server.host"));
    ConfigException error =
        LayeredConfig.invalid("server.host", config.get("server.host").orElseThrow(), "why");
    assertTrue(error.getMessage().contains("'a, b,c'"), error.getMessage());
  }

  @Test
  void anArrayOfTablesIsRejected() throws Exception {
    Path file = Files.writeString(dir.resolve("c.toml"), "[[server.host]]\nname = \"a\"\n");

    ConfigException error =
        assertThrows(
            ConfigException.class, () -> LayeredConfig.load(KEYS, Map.of(), file, Map.of()));
    assertTrue(error.getMessage().contains("server.host"), error.getMessage());
  }

  @Test
  void unknownFileKeyIsRejected() throws Exception {
    Path file = Files.writeString(dir.resolve("c.toml"), "[server]\nprot = 9000\n");

    ConfigException error =
        assertThrows(
            ConfigException.class, () -> LayeredConfig.load(KEYS, Map.of(), file, Map.of()));
    assertTrue(error.getMessage().contains("server.prot"), error.getMessage());
  }

  @Test
  void missingFileIsRejected() {
    ConfigException error =
        assertThrows(
            ConfigException.class,
            () -> LayeredConfig.load(KEYS, Map.of(), dir.resolve("nope.toml"), Map.of()));
    assertTrue(error.getMessage().contains("does not exist"), error.getMessage());
  }

  @Test
  void arraysOfTablesAreReadInFileOrderUnderDeclaredKeys() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("c.toml"),
            """
            [server]
            port = 9000

            [[auth.tokens]]
            name = "first"
            size = 3

            [[auth.tokens]]
            name = "second"
            """);

    LayeredConfig config =
        LayeredConfig.load(KEYS, List.of("auth.tokens"), Map.of(), file, Map.of());

    List<LayeredConfig.Table> tables = config.tables("auth.tokens");
    assertEquals(2, tables.size());
    assertEquals("auth.tokens[1]", tables.get(1).name());
    assertEquals("first", tables.get(0).get("name").orElseThrow().text());
    assertEquals("3", tables.get(0).get("size").orElseThrow().text());
    assertEquals(file.toString(), tables.get(1).get("name").orElseThrow().origin());
    assertEquals(9000, config.integer("server.port", 8080, 1, 65535));
    assertEquals(List.of(), config.tables("other.tables"));
  }

  @Test
  void undeclaredArrayOfTablesIsRejected() throws Exception {
    Path file = Files.writeString(dir.resolve("c.toml"), "[[server.extra]]\nname = \"x\"\n");

    ConfigException error =
        assertThrows(
            ConfigException.class, () -> LayeredConfig.load(KEYS, Map.of(), file, Map.of()));
    assertTrue(error.getMessage().contains("server.extra"), error.getMessage());
  }

  @Test
  void aTableOfStringsIsOneSettingOnlyUnderADeclaredMapKey() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("c.toml"), "[server.host]\nRUST_LOG = \"info\"\nB = \"x = y\"\n");

    LayeredConfig config =
        LayeredConfig.load(
            KEYS, List.of(), java.util.Set.of("server.host"), Map.of(), file, Map.of());
    ConfigException undeclared =
        assertThrows(
            ConfigException.class, () -> LayeredConfig.load(KEYS, Map.of(), file, Map.of()));
    ConfigException badName =
        assertThrows(
            ConfigException.class,
            () ->
                LayeredConfig.load(
                        KEYS, Map.of("DISTRIBUTED_SERVER_HOST", "A=1 secret"), null, Map.of())
                    .assignments("server.host", "[A-Z]+"));

    assertEquals(
        Map.of("RUST_LOG", "info", "B", "x = y"), config.assignments("server.host", "[A-Z_]+"));
    assertTrue(
        undeclared.getMessage().contains("unknown setting 'server.host."), undeclared.getMessage());
    assertTrue(badName.getMessage().contains("without '='"), badName.getMessage());
    assertTrue(
        !badName.getMessage().contains("A=1"), "values are not echoed: " + badName.getMessage());
  }
}
