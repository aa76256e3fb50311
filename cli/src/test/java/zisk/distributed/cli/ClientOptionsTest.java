package zisk.distributed.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import zisk.distributed.client.BlockIds;

class ClientOptionsTest {

  private static List<String> urls(String... args) {
    StatusCommand status = new StatusCommand();
    new CommandLine(status).parseArgs(args);
    return status.client.urls;
  }

  @Test
  void urlsAreRepeatableAndCommaSeparatedAndReplaceTheDefault() {
    assertEquals(List.of(ClientOptions.DEFAULT_URL), urls("JOB"));
    assertEquals(
        List.of("http://a:1", "http://b:2", "https://c:3"),
        urls("JOB", "--url", "http://a:1", "--url", "http://b:2,https://c:3"));
  }

  @Test
  void theDefaultBlockIdIsTheFileNameAndTheHashPrefix() {
    String sha = "3fa2b4c1d0e9".repeat(5) + "abcd";
    assertEquals(
        "block-42-3fa2b4c1d0e9", BlockIds.derive(java.nio.file.Path.of("/x/block-42.bin"), sha));
    assertEquals("a_b-3fa2b4c1d0e9", BlockIds.derive(java.nio.file.Path.of("a b"), sha));
  }
}
