package zisk.distributed.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import zisk.distributed.api.v1.FinalProofList;
import zisk.distributed.api.v1.JobStatus;
import zisk.distributed.api.v1.TaskProgress;
import zisk.distributed.api.v1.TaskType;
import zisk.distributed.api.v1.WatchJobResponse;
import zisk.distributed.client.InputUpload;

/** The client commands against a scripted coordinator on a real socket. */
class ClientCommandsTest {

  @TempDir Path dir;

  private final List<FakeCoordinator> fakes = new ArrayList<>();
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @AfterEach
  void stop() throws InterruptedException {
    for (FakeCoordinator fake : fakes) {
      fake.close();
    }
  }

  private FakeCoordinator fake() {
    FakeCoordinator fake = new FakeCoordinator();
    fake.events =
        List.of(
            FakeCoordinator.event(3, "LAUNCHED", "QUEUED", "", ""),
            FakeCoordinator.event(7, "PHASE_STARTED", "RUNNING", "PROVE", ""),
            FakeCoordinator.event(9, "TASK_DISPATCHED", "RUNNING", "PROVE", "prover-a"),
            FakeCoordinator.event(12, "TASK_SUCCEEDED", "RUNNING", "PROVE", "prover-a"),
            FakeCoordinator.event(15, "COMPLETED", "COMPLETED", "AGGREGATE", ""));
    fake.progress =
        List.of(
            TaskProgress.getDefaultInstance(),
            TaskProgress.getDefaultInstance(),
            TaskProgress.newBuilder()
                .setJobId(FakeCoordinator.JOB_ID)
                .setTaskType(TaskType.PROVE)
                .setRank(0)
                .setProverId("prover-a")
                .setFraction(0.5)
                .setText("witness 4/8")
                .build());
    fakes.add(fake);
    return fake;
  }

  private int zisk(String... args) {
    CommandLine zisk = Zisk.commandLine();
    zisk.setOut(new PrintWriter(out, true));
    zisk.setErr(new PrintWriter(err, true));
    return zisk.execute(args);
  }

  private static String deadUrl() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return "http://127.0.0.1:" + socket.getLocalPort();
    }
  }

  private Path inputOf(int bytes) throws IOException {
    byte[] content = new byte[bytes];
    new Random(7).nextBytes(content);
    Path input = dir.resolve("block-42.bin");
    Files.write(input, content);
    return input;
  }

  @Test
  void proveWaitUploadsLaunchesFollowsAndSavesTheProof() throws IOException {
    // given
    FakeCoordinator fake = fake();
    fake.proof = FinalProofList.newBuilder().build();
    Path input = inputOf(600 * 1024);
    Path proof = dir.resolve("out/proof.bin");

    // when
    int status =
        zisk("prove", input.toString(), "--wait", "-o", proof.toString(), "--url", fake.url());

    // then
    assertEquals(0, status, err.toString());
    byte[] sent = fake.uploads.values().iterator().next();
    assertArrayEquals(Files.readAllBytes(input), sent);
    assertEquals(3, fake.uploadMessages.size(), "600 KiB in 256 KiB chunks");
    String sha = InputUpload.sha256Hex(input);
    assertEquals(sha, fake.uploadMessages.get(0).getSha256());
    assertEquals(600 * 1024, fake.uploadMessages.get(0).getSizeBytes());
    var launch = fake.launches.get(0);
    assertEquals(sha, launch.getInputId());
    assertEquals("block-42-" + sha.substring(0, 12), launch.getBlockId());
    assertEquals(6, launch.getComputeCapacity(), "default: the cluster's capacity");
    assertFalse(launch.getClientRequestId().isEmpty());
    assertTrue(Files.exists(proof));
    assertTrue(out.toString().contains("Saved the final proof to " + proof), out.toString());
  }

  @Test
  void proveWithoutWaitPrintsTheJobAndHowToWatchIt() throws IOException {
    FakeCoordinator fake = fake();

    int status = zisk("prove", inputOf(10).toString(), "--capacity", "2", "--url", fake.url());

    assertEquals(0, status, err.toString());
    assertTrue(
        out.toString().contains("zisk watch " + FakeCoordinator.JOB_ID + " --url " + fake.url()),
        out.toString());
    assertEquals(2, fake.launches.get(0).getComputeCapacity());
    assertEquals(0, fake.watchCalls.get());
  }

  @Test
  void uploadStopsSendingWhenTheCoordinatorAlreadyHoldsTheInput() throws IOException {
    // given: 4 MiB (16 chunks) the coordinator already holds
    FakeCoordinator fake = fake();
    Path input = inputOf(4 * 1024 * 1024);
    fake.stored.add(InputUpload.sha256Hex(input));

    // when
    int status = zisk("prove", input.toString(), "--url", fake.url(), "--output", "json");

    // then: one message (hash, size, first chunk), then the early answer
    assertEquals(0, status, err.toString());
    assertEquals(1, fake.uploadMessages.size());
    assertTrue(out.toString().contains("\"already_stored\":true"), out.toString());
  }

  @Test
  void proveWaitJsonEndsWithTheProofFileAndVerdict() throws Exception {
    FakeCoordinator fake = fake();
    Path proof = dir.resolve("proof.bin");

    int status =
        zisk(
            "prove",
            inputOf(100).toString(),
            "--wait",
            "-o",
            proof.toString(),
            "--url",
            fake.url(),
            "--output",
            "json");

    assertEquals(0, status, err.toString());
    String[] lines = out.toString().split("\\R");
    com.google.protobuf.Struct.Builder last = com.google.protobuf.Struct.newBuilder();
    JsonFormat.parser().merge(lines[lines.length - 1], last);
    assertEquals(proof.toString(), last.getFieldsOrThrow("proof_file").getStringValue());
    assertEquals("not a reference input", last.getFieldsOrThrow("verified").getStringValue());
  }

  @Test
  void aLaunchRetriedOnTheNextUrlKeepsItsClientRequestId() throws IOException {
    // given: the first coordinator takes the upload, then loses the launch
    FakeCoordinator first = fake();
    first.dropNextLaunch = true;
    FakeCoordinator second = fake();

    // when
    int status = zisk("prove", inputOf(100).toString(), "--url", first.url() + "," + second.url());

    // then
    assertEquals(0, status, err.toString());
    String requestId = first.launches.get(0).getClientRequestId();
    assertFalse(requestId.isEmpty());
    assertEquals(requestId, second.launches.get(0).getClientRequestId());
  }

  @Test
  void watchShowsPlainTimestampedLinesWhenNotATerminal() {
    FakeCoordinator fake = fake();

    int status = zisk("watch", FakeCoordinator.JOB_ID, "--url", fake.url());

    assertEquals(0, status, err.toString());
    String[] lines = out.toString().split("\\R");
    for (String line : lines) {
      assertTrue(line.matches("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z  .*"), line);
    }
    String text = out.toString();
    assertTrue(text.contains("TASK_DISPATCHED") && text.contains("PROVE prover prover-a"), text);
    assertTrue(text.contains("PROGRESS        PROVE prover prover-a  50% witness 4/8"), text);
    assertTrue(lines[lines.length - 1].contains("COMPLETED job " + FakeCoordinator.JOB_ID), text);
  }

  @Test
  void watchResumesOnTheNextUrlAfterTheLastEventWithoutRepeatingOne() {
    // given: the first coordinator's stream breaks after two events
    FakeCoordinator first = fake();
    first.breakAfterEvents = 2;
    FakeCoordinator second = fake();

    // when
    int status = zisk("watch", FakeCoordinator.JOB_ID, "--url", first.url() + "," + second.url());

    // then
    assertEquals(0, status, err.toString());
    assertEquals(List.of(7L), second.watchedAfter, "resumed after the last event shown");
    String text = out.toString();
    for (String kind : List.of("LAUNCHED", "PHASE_STARTED", "TASK_DISPATCHED", "TASK_SUCCEEDED")) {
      assertEquals(1, occurrences(text, " " + kind + " "), kind + " once in:\n" + text);
    }
    assertTrue(text.contains("resuming at " + second.url()), text);
  }

  @Test
  void watchJsonLinesParseAsWatchJobResponses() throws Exception {
    FakeCoordinator fake = fake();

    int status = zisk("watch", FakeCoordinator.JOB_ID, "--url", fake.url(), "--output", "json");

    assertEquals(0, status, err.toString());
    List<WatchJobResponse> messages = new ArrayList<>();
    for (String line : out.toString().split("\\R")) {
      WatchJobResponse.Builder message = WatchJobResponse.newBuilder();
      JsonFormat.parser().merge(line, message);
      messages.add(message.build());
    }
    assertEquals(WatchJobResponse.MessageCase.STATUS, messages.get(0).getMessageCase());
    assertEquals(5, messages.stream().filter(WatchJobResponse::hasEvent).count());
    assertEquals(
        "COMPLETED", messages.get(messages.size() - 1).getStatus().getState(), "the last line");
  }

  @Test
  void statusJsonIsOneObjectWithTheProtoFieldNames() throws Exception {
    FakeCoordinator fake = fake();
    fake.finalState = "RUNNING";

    int status = zisk("status", FakeCoordinator.JOB_ID, "--url", fake.url(), "--output", "json");

    assertEquals(0, status, err.toString());
    String json = out.toString().trim();
    assertTrue(json.contains("\"job_id\":\"" + FakeCoordinator.JOB_ID + "\""), json);
    JobStatus.Builder job = JobStatus.newBuilder();
    JsonFormat.parser().merge(json, job);
    assertEquals("RUNNING", job.getState());
  }

  @Test
  void aFailedJobExitsOne() {
    FakeCoordinator fake = fake();
    fake.finalState = "FAILED";

    assertEquals(1, zisk("watch", FakeCoordinator.JOB_ID, "--url", fake.url()));
    assertTrue(out.toString().contains("prover exploded"), out.toString());
    assertEquals(1, zisk("status", FakeCoordinator.JOB_ID, "--url", fake.url()));
  }

  @Test
  void anUnknownJobExitsOneWithTheCoordinatorsCode() {
    FakeCoordinator fake = fake();

    assertEquals(1, zisk("watch", "no-such-job", "--url", fake.url()));
    assertTrue(err.toString().contains("JOB_NOT_FOUND"), err.toString());
  }

  @Test
  void badUsageExitsTwo() throws IOException {
    assertEquals(2, zisk("status", FakeCoordinator.JOB_ID, "--url", "ftp://127.0.0.1:1"));
    assertEquals(2, zisk("status"));
    assertEquals(2, zisk("prove", dir.resolve("missing.bin").toString(), "--url", deadUrl()));
    assertEquals(2, zisk("jobs", "--output", "yaml"));
    assertTrue(err.toString().contains("scheme must be http://"), err.toString());
  }

  @Test
  void noCoordinatorAnsweringExitsThreeAfterTryingEveryUrl() throws IOException {
    String one = deadUrl();
    String two = deadUrl();

    int status = zisk("system", "--url", one, "--url", two);

    assertEquals(3, status);
    assertTrue(err.toString().contains(one) && err.toString().contains(two), err.toString());
  }

  @Test
  void aCallFailsOverToTheSecondUrl() throws IOException {
    FakeCoordinator fake = fake();
    fake.finalState = "RUNNING";

    int status = zisk("status", FakeCoordinator.JOB_ID, "--url", deadUrl() + "," + fake.url());

    assertEquals(0, status, err.toString());
    assertTrue(out.toString().contains("state        RUNNING"), out.toString());
  }

  private static int occurrences(String text, String part) {
    return (int) Arrays.stream(text.split("\\R")).filter(line -> line.contains(part)).count();
  }
}
