package zisk.distributed.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ShellWordsTest {

  @Test
  void splitsOnBlanksAndKeepsQuotedTextTogether() {
    assertEquals(
        List.of("verify", "--key", "my key", "it's", "a\"b", "x y", "$HOME", "*"),
        ShellWords.split("  verify --key 'my key' \"it's\" \"a\\\"b\" x\\ y $HOME *  "));
  }

  @Test
  void emptyQuotesAreAnEmptyWord() {
    assertEquals(List.of("a", "", "b"), ShellWords.split("a '' b"));
    assertEquals(List.of(), ShellWords.split("   "));
  }

  @Test
  void joinIsTheInverseOfSplit() {
    List<String> words = List.of("/opt/v", "it's", "", "a b", "\"q\"", "back\\slash");

    assertEquals(words, ShellWords.split(ShellWords.join(words)));
  }

  @Test
  void unclosedQuotesAreErrors() {
    assertThrows(IllegalArgumentException.class, () -> ShellWords.split("a 'b"));
    assertThrows(IllegalArgumentException.class, () -> ShellWords.split("a \"b"));
    assertThrows(IllegalArgumentException.class, () -> ShellWords.split("a \\"));
  }
}
