package zisk.distributed.e2e;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression reads, found well enough for our own rules and dashboards:
 * label matchers, grouping clauses, ranges and strings removed; what is left is functions (followed
 * by a parenthesis), keywords, numbers and metric names.
 */
final class PromQl {

  private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Set<String> KEYWORDS =
      Set.of(
          "and",
          "or",
          "unless",
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "bool",
          "offset",
          "le",
          "inf",
          "nan");

  private PromQl() {}

  static Set<String> metricNames(String expression) {
    String rest =
        expression
            .replaceAll("\"[^\"]*\"", "\"\"")
            .replaceAll("\\{[^}]*}", "")
            .replaceAll("\\[[^]]*]", "")
            .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
    Set<String> names = new TreeSet<>();
    Matcher matcher = IDENTIFIER.matcher(rest);
    while (matcher.find()) {
      String word = matcher.group();
      boolean function = rest.substring(matcher.end()).stripLeading().startsWith("(");
      if (!function && !KEYWORDS.contains(word.toLowerCase())) {
        names.add(word);
      }
    }
    return names;
  }
}
