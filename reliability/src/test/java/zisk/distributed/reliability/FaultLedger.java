package zisk.distributed.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The suite's record of what it did and what came of it, one row per fault, printed as a Markdown
 * table at the end.
 */
final class FaultLedger {

  /** One fault's trials and outcomes. */
  static final class Row {
    final String fault;
    int trials;
    int launched;
    int completed;
    int duplicateCompletions;
    int proofsVerified;
    Duration longestRecovery = Duration.ZERO;
    String result = "FAIL: did not finish";

    Row(String fault) {
      this.fault = fault;
    }

    int lost() {
      return launched - completed;
    }

    void recovery(Duration observed) {
      if (observed.compareTo(longestRecovery) > 0) {
        longestRecovery = observed;
      }
    }
  }

  private final List<Row> rows = new ArrayList<>();

  synchronized Row open(String fault) {
    Row row = new Row(fault);
    rows.add(row);
    return row;
  }

  synchronized String table() {
    StringBuilder out = new StringBuilder();
    out.append(
        "| fault | trials | jobs launched | jobs completed | jobs lost | duplicate completions "
            + "| proofs verified | longest recovery | result |\n");
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (Row row : rows) {
      out.append("| ")
          .append(row.fault)
          .append(" | ")
          .append(row.trials)
          .append(" | ")
          .append(row.launched)
          .append(" | ")
          .append(row.completed)
          .append(" | ")
          .append(row.lost())
          .append(" | ")
          .append(row.duplicateCompletions)
          .append(" | ")
          .append(row.proofsVerified)
          .append(" | ")
          .append(
              row.longestRecovery.isZero()
                  ? "-"
                  : String.format("%.1f s", row.longestRecovery.toMillis() / 1000.0))
          .append(" | ")
          .append(row.result)
          .append(" |\n");
    }
    return out.toString();
  }

  /** Prints the table and writes it, with how to read it, to {@code file}. */
  synchronized void publish(Path file, Duration suiteTime) {
    String table = table();
    System.out.println();
    System.out.println("Fault-injection summary (" + suiteTime.toSeconds() + " s):");
    System.out.println(table);
    String document =
        "# Fault-injection summary\n\n"
            + table
            + "\n"
            + "Suite time: "
            + suiteTime.toSeconds()
            + " s. Recovery: from the fault (the kill, the freeze, or "
            + "PostgreSQL's return) to the completion of the last job that was in flight when it struck.\n";
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, document);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
