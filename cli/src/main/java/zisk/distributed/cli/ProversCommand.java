package zisk.distributed.cli;

import java.io.PrintWriter;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import zisk.distributed.api.v1.ProverInfo;
import zisk.distributed.api.v1.ProversList;
import zisk.distributed.api.v1.ProversListRequest;
import zisk.distributed.api.v1.ProversListResponse;
import zisk.distributed.client.ClientFailure;
import zisk.distributed.client.Coordinators;
import zisk.distributed.client.ExitCodes;
import zisk.distributed.client.JsonText;

/** {@code zisk provers}: the registered provers and their states. */
@Command(
    name = "provers",
    mixinStandardHelpOptions = true,
    description = {
      "Lists the provers the coordinators know (--available: only idle ones free for work).",
      "--output json prints the ProversList as one JSON object."
    })
final class ProversCommand extends ClientCommand {

  @Option(names = "--available", description = "Only connected IDLE provers not quarantined.")
  boolean available;

  @Option(
      names = "--limit",
      paramLabel = "N",
      defaultValue = "100",
      description = "Most provers to show, 1 to 500 (default: ${DEFAULT-VALUE}).")
  int limit;

  @Override
  int run(Coordinators coordinators, PrintWriter out, PrintWriter err) {
    if (limit < 1 || limit > 500) {
      throw ClientFailure.usage("--limit must be between 1 and 500");
    }
    ProversListResponse response =
        coordinators.call(
            "ProversList",
            api ->
                api.proversList(
                    ProversListRequest.newBuilder()
                        .setAvailableOnly(available)
                        .setLimit(limit)
                        .build()));
    if (response.hasError()) {
      throw ClientFailure.answered("ProversList", response.getError());
    }
    ProversList provers = response.getProversList();
    if (client.json()) {
      out.println(JsonText.of(provers));
      return ExitCodes.OK;
    }
    out.println(
        String.format("%-24s  %-12s  %5s  %-36s  %s", "PROVER", "STATE", "UNITS", "JOB", "NOTE"));
    for (ProverInfo prover : provers.getProversList()) {
      String note =
          prover.hasQuarantinedUntil()
              ? "quarantined until "
                  + Instant.ofEpochSecond(prover.getQuarantinedUntil().getSeconds())
                  + ": "
                  + JobText.clean(prover.getQuarantineReason())
              : "";
      out.println(
          String.format(
              "%-24s  %-12s  %5d  %-36s  %s",
              JobText.clean(prover.getProverId()),
              prover.getState(),
              prover.getComputeCapacity().getComputeUnits(),
              prover.getCurrentJobId().isEmpty() ? "-" : prover.getCurrentJobId(),
              note));
    }
    if (!provers.getNextPageToken().isEmpty()) {
      out.println("(more provers: raise --limit)");
    }
    return ExitCodes.OK;
  }
}
