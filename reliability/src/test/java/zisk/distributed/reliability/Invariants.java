package zisk.distributed.reliability;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * The promises every scenario must keep, checked in SQL on the shared database after the fact:
 *
 * <ul>
 *   <li>every launched job exists exactly once (retried launches found the same job) and is
 *       COMPLETED with a proof: none lost, none stuck;
 *   <li>exactly one final proof per job: one succeeded AGGREGATE task;
 *   <li>no job completed twice: at most one COMPLETED event per job;
 *   <li>no task was live on two provers at once: one task per (job, attempt, phase, rank);
 *   <li>no prover had two live tasks at once: the {@code [dispatched_at, finished_at)} intervals of
 *       one prover's tasks never overlap;
 *   <li>no prover reported a task error: the reference prover fails only when it is handed
 *       something wrong (a task while busy with another, a PROVE without its contribution), so
 *       every such failure is the cluster's doing.
 * </ul>
 */
final class Invariants {

  /** What the checks found. */
  record Outcome(int completed, int duplicateCompletions, List<String> violations) {}

  private Invariants() {}

  /**
   * Checks the jobs one scenario launched (client request ids {@code tag-0}, {@code tag-1}, ...).
   * Answers the counts; the violations list is empty when every promise holds.
   */
  static Outcome check(ClusterDatabase database, String tag, Collection<UUID> jobs, int launched) {
    List<UUID> ids = List.copyOf(jobs);
    return database
        .jdbi()
        .withHandle(
            handle -> {
              List<String> violations = new ArrayList<>();

              int created =
                  handle
                      .createQuery(
                          """
              SELECT count(*) FROM jobs WHERE starts_with(client_request_id, :prefix)
              """)
                      .bind("prefix", tag + "-")
                      .mapTo(Integer.class)
                      .one();
              if (created != launched) {
                violations.add(
                    launched
                        + " job(s) launched under '"
                        + tag
                        + "-*' but "
                        + created
                        + " exist in the database");
              }

              List<String> unfinished =
                  handle
                      .createQuery(
                          """
              SELECT job_id || ' is ' || state || coalesce(' in ' || phase, '') || ' (attempt ' || attempt || ')'
                     || coalesce(': ' || error_message, '')
              FROM jobs WHERE job_id IN (<ids>) AND (state <> 'COMPLETED' OR final_proof IS NULL)
              """)
                      .bindList("ids", ids)
                      .mapTo(String.class)
                      .list();
              unfinished.forEach(line -> violations.add("not completed (lost or stuck): " + line));
              int completed =
                  handle
                      .createQuery(
                          """
              SELECT count(*) FROM jobs WHERE job_id IN (<ids>) AND state = 'COMPLETED' AND final_proof IS NOT NULL
              """)
                      .bindList("ids", ids)
                      .mapTo(Integer.class)
                      .one();
              if (completed + unfinished.size() != ids.size()) {
                violations.add(
                    (ids.size() - completed - unfinished.size())
                        + " launched job(s) are missing from the database");
              }

              handle
                  .createQuery(
                      """
              SELECT j.job_id || ' has ' || count(t.task_id) || ' succeeded AGGREGATE task(s)'
              FROM jobs j LEFT JOIN tasks t ON t.job_id = j.job_id AND t.task_type = 'AGGREGATE' AND t.state = 'SUCCEEDED'
              WHERE j.job_id IN (<ids>) AND j.state = 'COMPLETED'
              GROUP BY j.job_id HAVING count(t.task_id) <> 1
              """)
                  .bindList("ids", ids)
                  .mapTo(String.class)
                  .list()
                  .forEach(line -> violations.add("not exactly one final proof: " + line));

              List<String> twice =
                  handle
                      .createQuery(
                          """
              SELECT job_id || ' completed ' || count(*) || ' times' FROM job_events
              WHERE job_id IN (<ids>) AND event = 'COMPLETED'
              GROUP BY job_id HAVING count(*) > 1
              """)
                      .bindList("ids", ids)
                      .mapTo(String.class)
                      .list();
              twice.forEach(line -> violations.add("duplicate completion: " + line));

              handle
                  .createQuery(
                      """
              SELECT job_id || ' attempt ' || attempt || ' ' || task_type || ' rank ' || rank_id
                     || ' replacement ' || replacement || ' has ' || count(*) || ' tasks'
              FROM tasks WHERE job_id IN (<ids>)
              GROUP BY job_id, attempt, task_type, rank_id, replacement HAVING count(*) > 1
              """)
                  .bindList("ids", ids)
                  .mapTo(String.class)
                  .list()
                  .forEach(line -> violations.add("one task slot held twice: " + line));

              overlappingTasks(handle, ids)
                  .forEach(line -> violations.add("prover with two live tasks at once: " + line));

              handle
                  .createQuery(
                      """
              SELECT job_id || ': ' || task_failures || ' task failure(s), last: ' || coalesce(error_message, '?')
              FROM jobs WHERE job_id IN (<ids>) AND task_failures > 0
              """)
                  .bindList("ids", ids)
                  .mapTo(String.class)
                  .list()
                  .forEach(line -> violations.add("a prover reported a task error: " + line));

              return new Outcome(completed, twice.size(), violations);
            });
  }

  /**
   * Pairs of tasks of one prover whose live intervals overlap, where at least one belongs to these
   * jobs. A task is live from its dispatch until it finished (still live if it has not). A task
   * cancelled by a transaction that started just before its dispatch committed may carry a finish
   * time a moment before its dispatch time; such an interval is empty, not negative.
   */
  private static List<String> overlappingTasks(Handle handle, List<UUID> ids) {
    return handle
        .createQuery(
            """
            WITH live AS (
                SELECT task_id, job_id, task_type, attempt, prover_id, state,
                       tstzrange(dispatched_at, greatest(dispatched_at, coalesce(finished_at, 'infinity'))) AS span
                FROM tasks WHERE dispatched_at IS NOT NULL
            )
            SELECT a.prover_id || ': ' || a.task_type || ' ' || a.state || ' of job ' || a.job_id || ' attempt ' || a.attempt
                   || ' ' || a.span::text || ' overlaps ' || b.task_type || ' ' || b.state || ' of job ' || b.job_id
                   || ' attempt ' || b.attempt || ' ' || b.span::text
            FROM live a JOIN live b ON a.prover_id = b.prover_id AND a.task_id < b.task_id AND a.span && b.span
            WHERE a.job_id IN (<ids>) OR b.job_id IN (<ids>)
            """)
        .bindList("ids", ids)
        .mapTo(String.class)
        .list();
  }
}
