package zisk.distributed.bench;

import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import zisk.distributed.api.v1.ExecuteTaskRequest;
import zisk.distributed.api.v1.ExecuteTaskResponse;
import zisk.distributed.api.v1.LaunchProofRequest;
import zisk.distributed.api.v1.LaunchProofResponse;
import zisk.distributed.api.v1.TaskType;

/**
 * Tasks per second at saturation: N one-unit provers, a fixed number of two-rank jobs kept in
 * flight (each is 2 contributions + 2 proofs + 1 aggregation = 5 tasks), a replacement launched the
 * moment a job's final proof is sent. Tasks are counted as the provers receive them during a window
 * that starts after a warm-up; each is answered at once, so received is completed.
 */
final class Throughput implements ProverEvents {

  static final int TASKS_PER_JOB = 5;
  private static final Duration DRAIN_DEADLINE = Duration.ofSeconds(120);

  record Result(
      int provers,
      int jobsInFlight,
      long tasks,
      long jobs,
      long nanos,
      long launchErrors,
      String anomalies) {

    double tasksPerSecond() {
      return tasks * 1e9 / nanos;
    }

    double jobsPerSecond() {
      return jobs * 1e9 / nanos;
    }
  }

  private final ChildCoordinator coordinator;
  private final AtomicLong tasksReceived = new AtomicLong();
  private final AtomicLong jobsFinished = new AtomicLong();
  private final AtomicLong launchesAccepted = new AtomicLong();
  private final AtomicLong launchErrors = new AtomicLong();
  private final AtomicLong launchSequence = new AtomicLong();
  private volatile String lastLaunchError = "";
  private volatile boolean replacing = true;

  private Throughput(ChildCoordinator coordinator) {
    this.coordinator = coordinator;
  }

  static Result run(
      ChildCoordinator coordinator,
      int provers,
      int jobsInFlight,
      Duration warmUp,
      Duration window) {
    Throughput run = new Throughput(coordinator);
    try (ProverFleet fleet =
        ProverFleet.connect(
            coordinator.host(),
            coordinator.port(),
            "throughput",
            provers,
            1,
            run,
            Duration.ofSeconds(120))) {
      for (int i = 0; i < jobsInFlight; i++) {
        run.launch();
      }
      Waits.pause(warmUp);
      long tasks0 = run.tasksReceived.get();
      long jobs0 = run.jobsFinished.get();
      long start = System.nanoTime();
      Waits.pause(window);
      long tasks1 = run.tasksReceived.get();
      long jobs1 = run.jobsFinished.get();
      long nanos = System.nanoTime() - start;
      run.replacing = false;
      coordinator.checkAlive();
      List<String> anomalies = run.drain(coordinator);
      if (!fleet.anomalies().isEmpty()) {
        anomalies.add(0, fleet.anomalies());
      }
      return new Result(
          provers,
          jobsInFlight,
          tasks1 - tasks0,
          jobs1 - jobs0,
          nanos,
          run.launchErrors.get(),
          String.join(", ", anomalies));
    }
  }

  /**
   * Lets the jobs in flight finish, and the coordinator record them, before the provers leave, so
   * that nothing is re-queued into the next section; answers what did not go as expected.
   */
  private List<String> drain(ChildCoordinator coordinator) {
    List<String> anomalies = new ArrayList<>();
    boolean sent =
        Waits.until(
            () ->
                jobsFinished.get() >= launchesAccepted.get()
                    && launchesAccepted.get() + launchErrors.get() >= launchSequence.get(),
            Duration.ofMillis(50),
            DRAIN_DEADLINE);
    if (!sent) {
      anomalies.add(
          (launchesAccepted.get() - jobsFinished.get())
              + " job(s) without a final proof "
              + DRAIN_DEADLINE.toSeconds()
              + " s after the window");
    } else if (!Waits.until(
        () -> coordinator.systemStatus().getActiveJobs() == 0,
        Duration.ofMillis(20),
        Duration.ofSeconds(30))) {
      anomalies.add(
          coordinator.systemStatus().getActiveJobs()
              + " job(s) still active 30 s after their final proofs");
    }
    if (launchErrors.get() > 0) {
      anomalies.add("last LaunchProof error: " + lastLaunchError);
    }
    return anomalies;
  }

  private void launch() {
    long n = launchSequence.incrementAndGet();
    LaunchProofRequest request =
        LaunchProofRequest.newBuilder()
            .setBlockId("bench-throughput-" + n)
            .setComputeCapacity(2)
            .setInputPath("/bench/input")
            .build();
    coordinator
        .asyncApi()
        .launchProof(
            request,
            new StreamObserver<>() {
              @Override
              public void onNext(LaunchProofResponse response) {
                if (response.hasError()) {
                  launchFailed(
                      response.getError().getCode() + ": " + response.getError().getMessage());
                } else {
                  launchesAccepted.incrementAndGet();
                }
              }

              @Override
              public void onError(Throwable error) {
                launchFailed(error.toString());
              }

              @Override
              public void onCompleted() {}
            });
  }

  private void launchFailed(String why) {
    lastLaunchError = why;
    launchErrors.incrementAndGet();
  }

  @Override
  public void taskReceived(ExecuteTaskRequest task, long nanos) {
    tasksReceived.incrementAndGet();
  }

  @Override
  public void resultSent(ExecuteTaskResponse result, long nanos) {
    if (result.getTaskType() == TaskType.AGGREGATE) {
      jobsFinished.incrementAndGet();
      if (replacing) {
        launch();
      }
    }
  }
}
