package zisk.distributed.worker.connection;

import zisk.distributed.api.v1.ExecuteTaskRequest;
import zisk.distributed.api.v1.JobCancelled;
import zisk.distributed.api.v1.Shutdown;

/**
 * What the worker does with the coordinator's messages, beyond what a session handles itself
 * (registration and heartbeats). Called on gRPC callback threads: implementations must return
 * quickly and never run proving work inline.
 */
public interface CoordinatorHandler {

  /** The coordinator accepted the registration: results kept while disconnected can go now. */
  void onAccepted(ProverSession session);

  /** A task to run; a refusal is answered on {@code session}. */
  void onTask(ExecuteTaskRequest task, ProverSession session);

  /** Stop the job's work and drop its state; send nothing for it. */
  void onJobCancelled(JobCancelled cancelled);

  /** The coordinator is going away: stop taking tasks and wind down within the grace period. */
  void onShutdown(Shutdown shutdown);

  /** The session is over, for the given reason. Called once per session. */
  void onEnded(ProverSession session, SessionEnd end);
}
