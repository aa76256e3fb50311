package zisk.distributed.coordinator.store;

import java.util.UUID;
import org.jdbi.v3.core.Handle;

/** Appends to {@code job_events}, always inside the transaction that made the change. */
public final class JobEvents {

  private JobEvents() {}

  public static void record(Handle handle, UUID jobId, String event, JobState state, Phase phase, Integer attempt,
      String proverId, UUID taskId, String detail) {
    handle.createUpdate("""
            INSERT INTO job_events (job_id, event, state, phase, attempt, prover_id, task_id, detail)
            VALUES (:jobId, :event, :state, :phase, :attempt, :proverId, :taskId, :detail)
            """)
        .bind("jobId", jobId)
        .bind("event", event)
        .bind("state", state == null ? null : state.name())
        .bind("phase", phase == null ? null : phase.name())
        .bind("attempt", attempt)
        .bind("proverId", proverId)
        .bind("taskId", taskId)
        .bind("detail", detail)
        .execute();
  }
}
