package zisk.distributed.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import zisk.distributed.api.v1.JobStatus;
import zisk.distributed.api.v1.StoredInput;
import zisk.distributed.client.BlockIds;
import zisk.distributed.client.ClientFailure;
import zisk.distributed.client.Coordinators;
import zisk.distributed.client.ExitCodes;
import zisk.distributed.client.InputUpload;
import zisk.distributed.client.JsonText;
import zisk.distributed.client.ProofFetch;
import zisk.distributed.client.ProofFiles;
import zisk.distributed.client.ProofLaunch;
import zisk.distributed.reference.VerificationResult;

/** {@code zisk prove INPUT}: uploads an input, launches its proof and (with --wait) fetches it. */
@Command(
    name = "prove",
    mixinStandardHelpOptions = true,
    description = {
      "Uploads INPUT to the coordinators (UploadInput; bytes they already hold are not sent again),",
      "launches its proof and prints the job id. With --wait, shows the progress until the job",
      "ends, saves the final proof (-o) and, for a reference input, verifies it.",
      "Exit status: 0 launched (with --wait: completed and, for a reference input, verified),",
      "1 failed, cancelled or refused, 2 bad usage, 3 no coordinator answered, 130 Ctrl-C."
    })
final class ProveCommand extends ClientCommand {

  @Parameters(index = "0", paramLabel = "INPUT", description = "The input file to prove.")
  Path input;

  @Option(
      names = "--capacity",
      paramLabel = "N",
      description =
          "Compute units the job needs (default: the cluster's connected capacity, at least 1).")
  Integer capacity;

  @Option(
      names = "--block-id",
      paramLabel = "ID",
      description =
          "What is being proved (default: the input's file name and hash, e.g. input-3fa2b4c1d0e9).")
  String blockId;

  @Option(
      names = "--webhook-url",
      paramLabel = "URL",
      description =
          "http(s) URL the coordinator POSTs the job's outcome to when it ends (LaunchProof"
              + " webhook_url; signed, retried, at least once).")
  String webhookUrl;

  @Option(names = "--wait", description = "Follow the job until it ends, then fetch its proof.")
  boolean await;

  @Option(
      names = "-o",
      paramLabel = "FILE",
      description =
          "With --wait: where the proof goes (default: JOB_ID.proof), as `zisk proof` writes it.")
  Path proofFile;

  @Override
  int run(Coordinators coordinators, PrintWriter out, PrintWriter err) throws IOException {
    if (!Files.isRegularFile(input)) {
      throw ClientFailure.usage("INPUT " + input + " is not a readable file");
    }
    if (capacity != null && capacity < 1) {
      throw ClientFailure.usage("--capacity must be at least 1");
    }
    if (proofFile != null && !await) {
      throw ClientFailure.usage("-o needs --wait");
    }
    StoredInput stored = new InputUpload(coordinators).upload(input);
    String block = blockId != null ? blockId : BlockIds.derive(input, stored.getInputId());
    String jobId =
        new ProofLaunch(coordinators)
            .launch(stored.getInputId(), block, capacity, UUID.randomUUID().toString(), webhookUrl);
    if (!client.json()) {
      out.printf(
          "Uploaded %s (%,d bytes%s), input id %s%nLaunched job %s (block %s)%n",
          input,
          stored.getSizeBytes(),
          stored.getAlreadyStored() ? ", already stored" : "",
          stored.getInputId(),
          jobId,
          block);
    }
    if (!await) {
      if (client.json()) {
        out.println(
            JsonText.object(
                Map.of(
                    "job_id", jobId,
                    "input_id", stored.getInputId(),
                    "already_stored", stored.getAlreadyStored())));
      } else {
        out.println("Follow it with: zisk watch " + jobId + " --url " + coordinators.urlList());
      }
      return ExitCodes.OK;
    }
    out.flush();
    JobStatus ended = WatchCommand.follow(coordinators, jobId, client.json(), out, err);
    if (!ended.getState().equals("COMPLETED")) {
      return ExitCodes.FAILED;
    }
    Path file = proofFile != null ? proofFile : Path.of(jobId + ".proof");
    var proof = new ProofFetch(coordinators).fetch(jobId);
    ProofFiles.write(file, proof);
    Optional<VerificationResult> verdict = ProofFiles.verifyIfReference(input, proof);
    if (client.json()) {
      out.println(
          JsonText.object(
              Map.of(
                  "job_id",
                  jobId,
                  "proof_file",
                  file.toString(),
                  "proof_bytes",
                  proof.getSerializedSize(),
                  "verified",
                  verdict
                      .map(v -> v.valid() ? "valid" : "invalid")
                      .orElse("not a reference input"))));
    } else {
      out.printf("Saved the final proof to %s (%,d bytes)%n", file, proof.getSerializedSize());
      verdict.ifPresent(
          v ->
              out.println(
                  "Verification " + (v.valid() ? "OK: " + v.summary() : "FAILED: " + v.reason())));
    }
    return verdict.map(v -> v.valid() ? ExitCodes.OK : ExitCodes.FAILED).orElse(ExitCodes.OK);
  }
}
