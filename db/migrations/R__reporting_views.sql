-- Views for reading the cluster's history in psql. Repeatable: Flyway re-creates them when this file changes.

-- A job as the API shows it (JobStatus, JobsList; read by the coordinator's JobDao): the row without its
-- final proof, the provers of its current attempt by rank (a lost rank's latest replacement), and
-- the current attempt's lost ranks, oldest first.
CREATE OR REPLACE VIEW job_overview AS
SELECT j.job_id, j.block_id, j.input_path, j.compute_capacity, j.state, j.phase, j.attempt,
       j.max_attempts, j.created_at, j.started_at, j.finished_at, j.waiting_reason,
       j.error_code, j.error_message,
       ARRAY(SELECT r.prover_id FROM (
                 SELECT DISTINCT ON (t.rank_id) t.rank_id, t.prover_id FROM tasks t
                 WHERE t.job_id = j.job_id AND t.attempt = j.attempt AND t.task_type = 'PARTIAL_CONTRIBUTION'
                 ORDER BY t.rank_id, t.replacement DESC) r
             ORDER BY r.rank_id) AS assigned_provers,
       j.launched_by,
       j.partial_contribution_timeout_seconds,
       j.prove_timeout_seconds,
       j.aggregate_timeout_seconds,
       j.timeouts,
       ARRAY(SELECT 'rank ' || l.rank_id || ': prover ' || l.lost_prover_id || ' lost in ' || l.phase
                    || CASE WHEN l.replaced_by IS NULL THEN ', waiting for a replacement'
                            ELSE ', recomputed on ' || l.replaced_by END
             FROM lost_ranks l WHERE l.job_id = j.job_id AND l.attempt = j.attempt
             ORDER BY l.lost_rank_id) AS rank_replacements,
       j.input_id
FROM jobs j;

-- One row per job: its outcome, its phase timings (current attempt) and its provers by rank.
CREATE OR REPLACE VIEW job_history AS
SELECT j.job_id,
       j.block_id,
       j.state,
       j.phase,
       j.attempt,
       j.compute_capacity,
       j.created_at,
       j.started_at,
       j.finished_at,
       j.finished_at - j.started_at                          AS run_time,
       j.started_at - j.created_at                           AS queue_time,
       p.contribution_time,
       p.prove_time,
       p.aggregate_time,
       p.provers,
       j.infra_failures,
       j.task_failures,
       j.error_code,
       j.error_message,
       j.launched_by,
       j.invalid_proofs,
       j.timeouts                                            -- tasks that ran past their limit
FROM jobs j
LEFT JOIN LATERAL (
    SELECT max(t.finished_at) FILTER (WHERE t.task_type = 'PARTIAL_CONTRIBUTION')
             - min(t.created_at) FILTER (WHERE t.task_type = 'PARTIAL_CONTRIBUTION') AS contribution_time,
           max(t.finished_at) FILTER (WHERE t.task_type = 'PROVE')
             - min(t.created_at) FILTER (WHERE t.task_type = 'PROVE')                AS prove_time,
           max(t.finished_at) FILTER (WHERE t.task_type = 'AGGREGATE')
             - min(t.created_at) FILTER (WHERE t.task_type = 'AGGREGATE')            AS aggregate_time,
           string_agg(t.prover_id, ', ' ORDER BY t.rank_id)
             FILTER (WHERE t.task_type = 'PARTIAL_CONTRIBUTION')                     AS provers
    FROM tasks t
    WHERE t.job_id = j.job_id AND t.attempt = j.attempt
) p ON true;

-- Every transition of every job, with the time since the job was launched.
CREATE OR REPLACE VIEW job_timeline AS
SELECT e.job_id,
       e.event_id,
       e.at,
       e.at - j.created_at AS since_launch,
       e.event,
       e.state,
       e.phase,
       e.attempt,
       e.prover_id,
       e.detail,
       e.token_name
FROM job_events e
JOIN jobs j USING (job_id);

-- Provers with the task they are working on, if any.
CREATE OR REPLACE VIEW prover_status AS
SELECT p.prover_id,
       p.state,
       p.compute_units,
       p.instance_id,
       p.session_epoch,
       p.connected_at,
       p.last_heartbeat_at,
       now() - p.last_heartbeat_at AS silent_for,
       t.job_id                    AS current_job_id,
       t.task_type                 AS current_task,
       t.state                     AS task_state,
       p.held_until,               -- quarantined (any reason): no new work until then
       CASE WHEN p.held_until > now() THEN p.quarantine_reason END AS quarantine_reason,
       CASE WHEN p.held_until > now() THEN p.held_until END        AS quarantined_until,
       p.failure_streak,           -- failed, timed-out or invalid tasks in a row
       p.quarantine_count          -- quarantines since the last success (each doubles the cool-down)
FROM provers p
LEFT JOIN tasks t ON t.prover_id = p.prover_id AND t.state IN ('ASSIGNED', 'DISPATCHED');
