package zisk.distributed.reliability;

import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import zisk.distributed.api.v1.CancelJobRequest;
import zisk.distributed.api.v1.ErrorResponse;
import zisk.distributed.api.v1.FinalProofList;
import zisk.distributed.api.v1.GetProofRequest;
import zisk.distributed.api.v1.GetProofResponse;
import zisk.distributed.api.v1.JobStatus;
import zisk.distributed.api.v1.JobStatusRequest;
import zisk.distributed.api.v1.JobStatusResponse;
import zisk.distributed.api.v1.LaunchProofRequest;
import zisk.distributed.api.v1.LaunchProofResponse;
import zisk.distributed.api.v1.ProverInfo;
import zisk.distributed.api.v1.ProversListRequest;
import zisk.distributed.api.v1.ProversListResponse;
import zisk.distributed.api.v1.StatusInfoRequest;
import zisk.distributed.api.v1.ZiskDistributedApiGrpc;
import zisk.distributed.api.v1.ZiskDistributedApiGrpc.ZiskDistributedApiBlockingStub;

/**
 * The suite's gRPC client: one channel per coordinator (kept across restarts), every call with a
 * deadline, and "any live coordinator" helpers that move on when one is dead or answers an error.
 */
final class ClusterClient implements AutoCloseable {

  /**
   * Longer than the coordinator's database timeout (3 s), so an outage answers SYSTEM_UNAVAILABLE.
   */
  static final Duration CALL_DEADLINE = Duration.ofSeconds(5);

  /** Pause between two rounds of launch attempts. */
  private static final Duration LAUNCH_RETRY = Duration.ofMillis(250);

  /**
   * What one coordinator answered to a launch: a job id, an error response, or a transport failure.
   */
  record LaunchAnswer(String coordinator, String jobId, String errorCode, String detail) {
    boolean launched() {
      return jobId != null;
    }
  }

  private final Map<String, ManagedChannel> channels = new LinkedHashMap<>();

  ClusterClient(Map<String, Integer> ports) {
    ports.forEach(
        (name, port) ->
            channels.put(
                name,
                NettyChannelBuilder.forAddress("127.0.0.1", port)
                    .usePlaintext()
                    .maxInboundMessageSize(64 * 1024 * 1024)
                    .build()));
  }

  List<String> coordinators() {
    return List.copyOf(channels.keySet());
  }

  private ZiskDistributedApiBlockingStub stub(String coordinator) {
    return ZiskDistributedApiGrpc.newBlockingStub(channels.get(coordinator))
        .withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** A restarted coordinator should be dialled at once, not after the channel's back-off. */
  void resetBackoff(String coordinator) {
    channels.get(coordinator).resetConnectBackoff();
  }

  /** grpc.health.v1 says SERVING (false on any failure, including a dead process). */
  boolean serving(String coordinator) {
    try {
      return HealthGrpc.newBlockingStub(channels.get(coordinator))
              .withDeadlineAfter(2, TimeUnit.SECONDS)
              .check(HealthCheckRequest.getDefaultInstance())
              .getStatus()
          == HealthCheckResponse.ServingStatus.SERVING;
    } catch (StatusRuntimeException e) {
      return false;
    }
  }

  /** One launch attempt on one coordinator. */
  LaunchAnswer launchVia(String coordinator, LaunchProofRequest request) {
    try {
      LaunchProofResponse response = stub(coordinator).launchProof(request);
      if (response.hasError()) {
        return new LaunchAnswer(
            coordinator, null, response.getError().getCode(), response.getError().getMessage());
      }
      return new LaunchAnswer(coordinator, response.getJobId(), null, null);
    } catch (StatusRuntimeException e) {
      return new LaunchAnswer(
          coordinator, null, null, e.getStatus().getCode() + " " + e.getStatus().getDescription());
    }
  }

  /**
   * Launches through the coordinators in {@code order}, moving on when one is dead or unavailable,
   * until one answers a job id or the deadline passes. The request carries a client request id, so
   * a retry after a lost answer finds the same job instead of launching a second one.
   */
  String launch(LaunchProofRequest request, List<String> order, Duration deadline) {
    // A timeout names the last round's answers.
    List<LaunchAnswer> lastRound =
        await("a coordinator of " + order + " to launch " + request.getClientRequestId())
            .atMost(deadline)
            .pollDelay(Duration.ZERO)
            .pollInterval(LAUNCH_RETRY)
            .until(
                () -> launchRound(request, order), round -> round.get(round.size() - 1).launched());
    return lastRound.get(lastRound.size() - 1).jobId();
  }

  /**
   * One launch attempt per coordinator in {@code order}, up to the first that launches. A refusal
   * other than SYSTEM_UNAVAILABLE fails at once: retrying would not change it.
   */
  private List<LaunchAnswer> launchRound(LaunchProofRequest request, List<String> order) {
    List<LaunchAnswer> answers = new ArrayList<>();
    for (String coordinator : order) {
      LaunchAnswer answer = launchVia(coordinator, request);
      answers.add(answer);
      if (answer.launched()) {
        break;
      }
      if (answer.errorCode() != null && !"SYSTEM_UNAVAILABLE".equals(answer.errorCode())) {
        throw new AssertionError(
            "LaunchProof "
                + request.getClientRequestId()
                + " refused by "
                + coordinator
                + ": "
                + answer.errorCode()
                + " "
                + answer.detail());
      }
    }
    return answers;
  }

  /** The job as the first coordinator that can read it sees it; empty when none could. */
  Optional<JobStatus> jobStatus(String jobId) {
    for (String coordinator : channels.keySet()) {
      try {
        JobStatusResponse response =
            stub(coordinator).jobStatus(JobStatusRequest.newBuilder().setJobId(jobId).build());
        if (response.hasJob()) {
          return Optional.of(response.getJob());
        }
      } catch (StatusRuntimeException e) {
        // dead or restarting: ask the next one
      }
    }
    return Optional.empty();
  }

  /** JobStatus through one coordinator: its error code, or empty when it answered the job. */
  Optional<String> jobStatusError(String coordinator, String jobId) {
    try {
      JobStatusResponse response =
          stub(coordinator).jobStatus(JobStatusRequest.newBuilder().setJobId(jobId).build());
      return response.hasError() ? Optional.of(response.getError().getCode()) : Optional.empty();
    } catch (StatusRuntimeException e) {
      return Optional.of("grpc " + e.getStatus().getCode());
    }
  }

  /** CancelJob through the first coordinator that answers; false when none did. */
  boolean cancel(String jobId, String reason) {
    for (String coordinator : channels.keySet()) {
      try {
        stub(coordinator)
            .cancelJob(CancelJobRequest.newBuilder().setJobId(jobId).setReason(reason).build());
        return true;
      } catch (StatusRuntimeException e) {
        // ask the next one
      }
    }
    return false;
  }

  /** The final proof of a completed job, through the first coordinator that has it. */
  FinalProofList proof(String jobId) {
    List<String> failures = new ArrayList<>();
    for (String coordinator : channels.keySet()) {
      try {
        GetProofResponse response =
            stub(coordinator).getProof(GetProofRequest.newBuilder().setJobId(jobId).build());
        if (response.hasProof()) {
          return response.getProof().getFinalProof();
        }
        ErrorResponse error = response.getError();
        failures.add(coordinator + ": " + error.getCode() + " " + error.getMessage());
      } catch (StatusRuntimeException e) {
        failures.add(coordinator + ": " + e.getStatus());
      }
    }
    throw new AssertionError("no coordinator returned the proof of job " + jobId + ": " + failures);
  }

  /** Every prover, as the first coordinator that can read them sees them; empty when none could. */
  Optional<List<ProverInfo>> provers() {
    for (String coordinator : channels.keySet()) {
      try {
        ProversListResponse response =
            stub(coordinator).proversList(ProversListRequest.getDefaultInstance());
        if (response.hasProversList()) {
          return Optional.of(response.getProversList().getProversList());
        }
      } catch (StatusRuntimeException e) {
        // ask the next one
      }
    }
    return Optional.empty();
  }

  /**
   * The prover streams a coordinator holds in memory (StatusInfo needs no database); -1 if
   * unreachable.
   */
  int streamsHeld(String coordinator) {
    try {
      return stub(coordinator)
          .statusInfo(StatusInfoRequest.getDefaultInstance())
          .getMetrics()
          .getActiveConnections();
    } catch (StatusRuntimeException e) {
      return -1;
    }
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
  }
}
