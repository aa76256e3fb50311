package zisk.distributed.coordinator.auth;

import java.util.regex.Pattern;

/** A glob over prover ids: {@code *} matches any run of characters, {@code ?} any one. */
public final class ProverIdPattern {

  private final String glob;
  private final Pattern regex;

  public ProverIdPattern(String glob) {
    this.glob = glob;
    StringBuilder regex = new StringBuilder();
    StringBuilder literal = new StringBuilder();
    for (char c : glob.toCharArray()) {
      if (c == '*' || c == '?') {
        regex.append(Pattern.quote(literal.toString())).append(c == '*' ? ".*" : ".");
        literal.setLength(0);
      } else {
        literal.append(c);
      }
    }
    regex.append(Pattern.quote(literal.toString()));
    this.regex = Pattern.compile(regex.toString(), Pattern.DOTALL);
  }

  public boolean matches(String proverId) {
    return regex.matcher(proverId).matches();
  }

  @Override
  public String toString() {
    return glob;
  }
}
