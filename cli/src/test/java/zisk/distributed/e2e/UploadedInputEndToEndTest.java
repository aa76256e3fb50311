package zisk.distributed.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zisk.distributed.api.v1.JobStatus;
import zisk.distributed.api.v1.LaunchProofRequest;
import zisk.distributed.api.v1.LaunchProofResponse;
import zisk.distributed.api.v1.UploadInputRequest;
import zisk.distributed.api.v1.UploadInputResponse;
import zisk.distributed.api.v1.ZiskDistributedApiGrpc;
import zisk.distributed.reference.VerificationResult;
import zisk.distributed.worker.testing.ControlledBackend;

/** A job launched with an uploaded input runs on workers that have no copy of it on disk. */
class UploadedInputEndToEndTest {

  private Cluster cluster;

  @TempDir Path elsewhere;

  @AfterEach
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void twoWorkersWithoutTheInputCompleteAJobLaunchedWithItsUploadAndTheProofVerifies()
      throws Exception {
    // given: the input exists only here, outside every inputs directory
    cluster = Cluster.start();
    cluster.worker("left", 1, ControlledBackend.overReference());
    cluster.worker("right", 1, ControlledBackend.overReference());
    cluster.awaitProvers("IDLE", "left", "right");
    Path shared = cluster.referenceInput();
    Path input = Files.move(shared, elsewhere.resolve("input.txt"));
    String inputId = upload(Files.readAllBytes(input));

    // when
    LaunchProofResponse launched =
        cluster
            .api()
            .launchProof(
                LaunchProofRequest.newBuilder()
                    .setBlockId("uploaded")
                    .setComputeCapacity(2)
                    .setInputId(inputId)
                    .build());
    assertFalse(launched.hasError(), launched.toString());
    JobStatus done = cluster.awaitState(launched.getJobId(), "COMPLETED");

    // then
    assertEquals(inputId, done.getInputId());
    assertEquals(2, done.getAssignedProversCount());
    VerificationResult verdict = cluster.verifyProof(launched.getJobId(), input);
    assertTrue(verdict.valid(), verdict.summary());
  }

  private String upload(byte[] bytes) {
    CompletableFuture<UploadInputResponse> answer = new CompletableFuture<>();
    StreamObserver<UploadInputRequest> requests =
        ZiskDistributedApiGrpc.newStub(cluster.coordinator().channel())
            .uploadInput(
                new StreamObserver<>() {
                  @Override
                  public void onNext(UploadInputResponse value) {
                    answer.complete(value);
                  }

                  @Override
                  public void onError(Throwable t) {
                    answer.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {}
                });
    int chunk = Math.max(1, bytes.length / 3);
    for (int offset = 0; offset < bytes.length; offset += chunk) {
      requests.onNext(
          UploadInputRequest.newBuilder()
              .setChunk(ByteString.copyFrom(bytes, offset, Math.min(chunk, bytes.length - offset)))
              .build());
    }
    requests.onCompleted();
    UploadInputResponse response = answer.orTimeout(30, TimeUnit.SECONDS).join();
    assertFalse(response.hasError(), response.toString());
    return response.getInput().getInputId();
  }
}
