package zisk.distributed.coordinator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;
import zisk.distributed.api.v1.ComputeCapacity;
import zisk.distributed.api.v1.CoordinatorMessage;
import zisk.distributed.api.v1.JobsListRequest;
import zisk.distributed.api.v1.JobsListResponse;
import zisk.distributed.api.v1.ProverMessage;
import zisk.distributed.api.v1.ProverRegisterRequest;
import zisk.distributed.coordinator.config.CoordinatorConfig;
import zisk.distributed.coordinator.testing.RawProver;
import zisk.distributed.coordinator.testing.RunningCoordinator;
import zisk.distributed.coordinator.testing.TestDatabase;

/**
 * Prover streams before they register, over real TCP (real server threads): each may wait only so
 * long, only so many may wait, only so many register per second, and their transactions never take
 * the connections admin calls need.
 */
class RegistrationBoundsTest {

  private static CoordinatorConfig config(CoordinatorConfig.Limits limits) {
    return CoordinatorConfig.local(TestDatabase.freshJdbcUrl()).withLimits(limits);
  }

  @Test
  void aStreamThatDoesNotRegisterIsClosedAfterTheTimeout() {
    try (RunningCoordinator coordinator =
            RunningCoordinator.onTcp(
                config(
                    CoordinatorConfig.Limits.DEFAULT.withRegisterTimeout(Duration.ofSeconds(1))));
        RawProver silent = RawProver.open(coordinator.channel(), true)) {

      Status ended = silent.awaitEnd();

      assertEquals(Status.Code.DEADLINE_EXCEEDED, ended.getCode());
      assertTrue(ended.getDescription().contains("within 1 s"), ended.getDescription());
    }
  }

  @Test
  void streamsBeyondTheUnregisteredBoundAreRefused() {
    try (RunningCoordinator coordinator =
        RunningCoordinator.onTcp(
            config(CoordinatorConfig.Limits.DEFAULT.withRegistrations(2, 200)))) {
      List<RawProver> waiting = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          waiting.add(RawProver.open(coordinator.channel(), true));
        }
        // The streams may reach the server in any order: one of the three is refused.
        Awaitility.await()
            .atMost(RawProver.WAIT)
            .until(() -> waiting.stream().anyMatch(RawProver::hasEnded));
        List<RawProver> refused = waiting.stream().filter(RawProver::hasEnded).toList();
        assertEquals(1, refused.size());
        Status status = refused.get(0).awaitEnd();
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, status.getCode(), status.toString());
        assertTrue(status.getDescription().contains("not registered yet"));

        // A slot frees once a waiting stream registers.
        RawProver admitted = waiting.stream().filter(p -> !p.hasEnded()).findFirst().orElseThrow();
        assertTrue(admitted.register("admitted", 1).getAccepted());
        try (RawProver next = RawProver.open(coordinator.channel(), true)) {
          assertTrue(next.register("next", 1).getAccepted());
        }
      } finally {
        waiting.forEach(RawProver::close);
      }
    }
  }

  @Test
  void registrationsBeyondTheRateAreRefusedWithResourceExhausted() {
    try (RunningCoordinator coordinator =
        RunningCoordinator.onTcp(
            config(CoordinatorConfig.Limits.DEFAULT.withRegistrations(1_000, 3)))) {
      List<RawProver> burst = new ArrayList<>();
      try {
        for (int i = 0; i < 20; i++) {
          RawProver prover = RawProver.open(coordinator.channel(), true);
          burst.add(prover);
          prover.send(register("burst-" + i));
        }
        int accepted = 0;
        int refused = 0;
        for (RawProver prover : burst) {
          CoordinatorMessage answer = prover.awaitAnswerOrEnd();
          if (answer != null && answer.getRegisterResponse().getAccepted()) {
            accepted++;
          } else {
            Status ended = prover.awaitEnd();
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, ended.getCode(), ended.toString());
            assertTrue(ended.getDescription().contains("too many registrations"));
            refused++;
          }
        }
        assertTrue(accepted >= 3 && accepted <= 5, "about the rate were accepted: " + accepted);
        assertEquals(20, accepted + refused);
      } finally {
        burst.forEach(RawProver::close);
      }
    }
  }

  @Test
  void registrationsNeverTakeTheConnectionsAdminCallsNeed() {
    try (RunningCoordinator coordinator =
            RunningCoordinator.onTcp(config(CoordinatorConfig.Limits.DEFAULT));
        Handle blocker = coordinator.jdbi().open()) {
      // Rows for the burst's ids, not yet committed: each registration waits on its row, holding
      // whatever connection it has, while everything else (housekeeping included) goes on.
      blocker.begin();
      blocker.execute(
          """
          INSERT INTO provers (prover_id, state, compute_units)
          SELECT 'stuck-' || i, 'DISCONNECTED', 1 FROM generate_series(0, 11) i
          """);
      List<RawProver> burst = new ArrayList<>();
      try {
        for (int i = 0; i < 12; i++) {
          RawProver prover = RawProver.open(coordinator.channel(), true);
          burst.add(prover);
          prover.send(register("stuck-" + i));
        }
        Awaitility.await()
            .atMost(RawProver.WAIT)
            .until(() -> registrationsWaitingOnALock(coordinator) > 0);

        // The pool has 5 connections: the registrations may hold one of them, not all.
        for (int i = 0; i < 3; i++) {
          JobsListResponse answer =
              coordinator.stub().jobsList(JobsListRequest.getDefaultInstance());
          assertTrue(answer.hasJobsList(), answer.toString());
        }
      } finally {
        blocker.rollback();
        burst.forEach(RawProver::close);
      }
    }
  }

  private static int registrationsWaitingOnALock(RunningCoordinator coordinator) {
    return coordinator
        .jdbi()
        .withHandle(
            handle ->
                handle
                    .createQuery(
                        """
            SELECT count(*) FROM pg_stat_activity
            WHERE application_name = 'zisk-coordinator' AND wait_event_type = 'Lock'
            """)
                    .mapTo(Integer.class)
                    .one());
  }

  private static ProverMessage register(String proverId) {
    return ProverMessage.newBuilder()
        .setRegister(
            ProverRegisterRequest.newBuilder()
                .setProverId(proverId)
                .setComputeCapacity(ComputeCapacity.newBuilder().setComputeUnits(1)))
        .build();
  }
}
