package zisk.distributed.coordinator.testing.fuzz;

import org.jdbi.v3.core.Jdbi;

/**
 * What a client call could change in the database, as one comparable string: counts and a checksum
 * of the jobs, tasks, provers and job_events rows. Columns that move by themselves (heartbeat
 * times, a queued job's waiting reason) are left out, so two digests differ only when a transition
 * wrote something.
 */
public final class TableDigest {

  private static final String SQL =
      """
      SELECT concat_ws(' | ',
        (SELECT count(*) || ' jobs ' || coalesce(md5(string_agg(
            ROW(job_id, block_id, input_path, compute_capacity, client_request_id, state, phase,
                attempt, error_code, error_message, final_proof IS NULL)::text, ',' ORDER BY job_id)), '')
         FROM jobs),
        (SELECT count(*) || ' tasks ' || coalesce(md5(string_agg(
            ROW(task_id, state, prover_id, result IS NULL, error_message)::text, ',' ORDER BY task_id)), '')
         FROM tasks),
        (SELECT count(*) || ' provers ' || coalesce(md5(string_agg(
            ROW(prover_id, state, compute_units, session_epoch, current_job_id)::text, ',' ORDER BY prover_id)), '')
         FROM provers),
        (SELECT count(*) || ' events, last ' || coalesce(max(event_id), 0) FROM job_events))
      """;

  private TableDigest() {}

  public static String of(Jdbi jdbi) {
    return jdbi.withHandle(handle -> handle.createQuery(SQL).mapTo(String.class).one());
  }
}
