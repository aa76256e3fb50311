-- A table's CHECK constraints are all evaluated for every row a statement writes, and PostgreSQL
-- reads them again from their stored text and plans them again for every statement that writes
-- the table: the jobs table's 21 constraints at each of a job's five updates, the tasks table's
-- nine at each of its eight writes. At saturation that was about a seventh of PostgreSQL's CPU
-- (README "Performance"). A domain's constraint is read and planned once per connection, kept
-- with the type, and checked only when a value of the column is written. So each constraint on a
-- single column becomes that column's type; the rules are the same, word for word, and so are
-- NULLs (a domain's CHECK, like a table's, passes NULL). The constraints on several columns, the
-- state machine's own invariants, stay table constraints.
--
-- No table is rewritten: the columns take constraint-less domains (binary-compatible with their
-- base types, so rows and plain indexes are kept as they are), and the domains get their
-- constraints afterwards, each checked against the rows already there. The partial indexes, whose
-- conditions name a retyped column, are built again (one read of their table each; they hold only
-- the active rows).

CREATE DOMAIN zisk_job_state AS text;
CREATE DOMAIN zisk_task_state AS text;
CREATE DOMAIN zisk_prover_state AS text;
CREATE DOMAIN zisk_phase AS text;
CREATE DOMAIN zisk_positive AS integer;
CREATE DOMAIN zisk_count AS integer;
CREATE DOMAIN zisk_prover_id AS text;
CREATE DOMAIN zisk_block_id AS text;
CREATE DOMAIN zisk_input_path AS text;
CREATE DOMAIN zisk_input_id AS text;
CREATE DOMAIN zisk_client_request_id AS text;
CREATE DOMAIN zisk_token_name AS text;
CREATE DOMAIN zisk_webhook_url AS text;
CREATE DOMAIN zisk_quarantine_reason AS text;
CREATE DOMAIN zisk_secret_hash AS bytea;

-- The reporting views (R__reporting_views) and three triggers' conditions (V11, V12) name these
-- columns, so they are dropped and made again from their own definitions once the columns have
-- their new types. (A new database has no views yet: Flyway creates them after the versioned
-- migrations.)
CREATE TEMPORARY TABLE zisk_v17_dependents ON COMMIT DROP AS
SELECT 1 AS step, format('CREATE VIEW %I AS %s', c.relname, pg_get_viewdef(c.oid)) AS definition
FROM pg_class c
WHERE c.relkind = 'v' AND c.relnamespace = 'public'::regnamespace
  AND c.relname IN ('job_overview', 'job_history', 'job_timeline', 'prover_status')
UNION ALL
SELECT 2, pg_get_triggerdef(g.oid)
FROM pg_trigger g
WHERE g.tgname IN ('tasks_dispatched_on_insert', 'tasks_dispatched_on_update', 'jobs_webhook_on_end');
DROP VIEW IF EXISTS job_overview, job_history, job_timeline, prover_status;
DROP TRIGGER tasks_dispatched_on_insert ON tasks;
DROP TRIGGER tasks_dispatched_on_update ON tasks;
DROP TRIGGER jobs_webhook_on_end ON jobs;

ALTER TABLE jobs
    DROP CONSTRAINT jobs_block_id_check,
    DROP CONSTRAINT jobs_input_path_check,
    DROP CONSTRAINT jobs_input_id_check,
    DROP CONSTRAINT jobs_compute_capacity_check,
    DROP CONSTRAINT jobs_client_request_id_check,
    DROP CONSTRAINT jobs_state_check,
    DROP CONSTRAINT jobs_phase_check,
    DROP CONSTRAINT jobs_attempt_check,
    DROP CONSTRAINT jobs_max_attempts_check,
    DROP CONSTRAINT jobs_launched_by_check,
    DROP CONSTRAINT jobs_partial_contribution_timeout_seconds_check,
    DROP CONSTRAINT jobs_prove_timeout_seconds_check,
    DROP CONSTRAINT jobs_aggregate_timeout_seconds_check,
    DROP CONSTRAINT jobs_webhook_url_check,
    ALTER COLUMN block_id TYPE zisk_block_id,
    ALTER COLUMN input_path TYPE zisk_input_path,
    ALTER COLUMN input_id TYPE zisk_input_id,
    ALTER COLUMN compute_capacity TYPE zisk_positive,
    ALTER COLUMN client_request_id TYPE zisk_client_request_id,
    ALTER COLUMN state TYPE zisk_job_state,
    ALTER COLUMN phase TYPE zisk_phase,
    ALTER COLUMN attempt TYPE zisk_count,
    ALTER COLUMN max_attempts TYPE zisk_positive,
    ALTER COLUMN launched_by TYPE zisk_token_name,
    ALTER COLUMN partial_contribution_timeout_seconds TYPE zisk_positive,
    ALTER COLUMN prove_timeout_seconds TYPE zisk_positive,
    ALTER COLUMN aggregate_timeout_seconds TYPE zisk_positive,
    ALTER COLUMN webhook_url TYPE zisk_webhook_url;

ALTER TABLE tasks
    DROP CONSTRAINT tasks_state_check,
    DROP CONSTRAINT tasks_task_type_check,
    DROP CONSTRAINT tasks_attempt_check,
    DROP CONSTRAINT tasks_rank_id_check,
    DROP CONSTRAINT tasks_compute_units_check,
    DROP CONSTRAINT tasks_busy_answers_check,
    DROP CONSTRAINT tasks_replacement_check,
    ALTER COLUMN state TYPE zisk_task_state,
    ALTER COLUMN task_type TYPE zisk_phase,
    ALTER COLUMN attempt TYPE zisk_positive,
    ALTER COLUMN rank_id TYPE zisk_count,
    ALTER COLUMN compute_units TYPE zisk_positive,
    ALTER COLUMN busy_answers TYPE zisk_count,
    ALTER COLUMN replacement TYPE zisk_count;

ALTER TABLE provers
    DROP CONSTRAINT provers_prover_id_check,
    DROP CONSTRAINT provers_state_check,
    DROP CONSTRAINT provers_compute_units_check,
    DROP CONSTRAINT provers_session_secret_hash_check,
    DROP CONSTRAINT provers_failure_streak_check,
    DROP CONSTRAINT provers_quarantine_count_check,
    DROP CONSTRAINT provers_quarantine_reason_check,
    ALTER COLUMN prover_id TYPE zisk_prover_id,
    ALTER COLUMN state TYPE zisk_prover_state,
    ALTER COLUMN compute_units TYPE zisk_positive,
    ALTER COLUMN session_secret_hash TYPE zisk_secret_hash,
    ALTER COLUMN failure_streak TYPE zisk_count,
    ALTER COLUMN quarantine_count TYPE zisk_count,
    ALTER COLUMN quarantine_reason TYPE zisk_quarantine_reason;

ALTER TABLE job_events
    DROP CONSTRAINT job_events_token_name_check,
    ALTER COLUMN token_name TYPE zisk_token_name;

DO $$
DECLARE
    v record;
BEGIN
    FOR v IN SELECT * FROM zisk_v17_dependents ORDER BY step LOOP
        EXECUTE v.definition;
    END LOOP;
END
$$;

ALTER DOMAIN zisk_job_state ADD CHECK (VALUE IN ('QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'));
ALTER DOMAIN zisk_task_state
    ADD CHECK (VALUE IN ('ASSIGNED', 'DISPATCHED', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'LOST', 'TIMED_OUT'));
ALTER DOMAIN zisk_prover_state ADD CHECK (VALUE IN ('IDLE', 'BUSY', 'DISCONNECTED'));
ALTER DOMAIN zisk_phase ADD CHECK (VALUE IN ('PARTIAL_CONTRIBUTION', 'PROVE', 'AGGREGATE'));
ALTER DOMAIN zisk_positive ADD CHECK (VALUE > 0);
ALTER DOMAIN zisk_count ADD CHECK (VALUE >= 0);
ALTER DOMAIN zisk_prover_id ADD CHECK (length(VALUE) BETWEEN 1 AND 128);
ALTER DOMAIN zisk_block_id ADD CHECK (length(VALUE) BETWEEN 1 AND 256);
ALTER DOMAIN zisk_input_path ADD CHECK (length(VALUE) BETWEEN 1 AND 4096);
ALTER DOMAIN zisk_input_id ADD CHECK (VALUE ~ '^[0-9a-f]{64}$');
ALTER DOMAIN zisk_client_request_id ADD CHECK (length(VALUE) BETWEEN 1 AND 256);
ALTER DOMAIN zisk_token_name ADD CHECK (length(VALUE) BETWEEN 1 AND 64);
ALTER DOMAIN zisk_webhook_url ADD CHECK (length(VALUE) BETWEEN 1 AND 2048);
ALTER DOMAIN zisk_quarantine_reason ADD CHECK (length(VALUE) <= 1024);
ALTER DOMAIN zisk_secret_hash ADD CHECK (length(VALUE) = 32);

-- A PL/pgSQL RETURN QUERY must answer its declared column types exactly, and the tasks' phase and
-- state and the provers' ids are domains now: these two functions (V14) answer them as
-- their base types, and are otherwise unchanged.
CREATE OR REPLACE FUNCTION zisk_release_all(p_job_id uuid) RETURNS TABLE (prover_id text, last_task_id uuid)
LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY
    UPDATE provers p
    SET current_job_id = NULL,
        state = CASE WHEN p.instance_id IS NULL THEN 'DISCONNECTED' ELSE 'IDLE' END,
        disconnected_at = CASE WHEN p.instance_id IS NULL THEN now() ELSE p.disconnected_at END,
        stream_lost_at = NULL
    WHERE p.current_job_id = p_job_id
    RETURNING p.prover_id::text,
              (SELECT t.task_id FROM tasks t WHERE t.job_id = p_job_id AND t.prover_id = p.prover_id
               ORDER BY t.created_at DESC LIMIT 1);
END
$$;

CREATE OR REPLACE FUNCTION zisk_record_success(
    p_task_id uuid, p_result bytea, p_instance_id uuid, p_verification text)
RETURNS SETOF zisk_recorded_success
LANGUAGE plpgsql AS $$
DECLARE
    s record;
    v_released integer := 0;
    v_completed integer := 0;
    v_next text;
    v_moved integer;
    v_seconds double precision;
    v_inputs bytea[];
BEGIN
    SELECT * INTO s FROM zisk_succeed_task(p_task_id, p_result);
    IF s.updated = 1 AND s.task_phase = 'PROVE' AND s.succeeded_before > 0 THEN
        v_released := zisk_release_prover(s.task_prover_id, s.task_job_id);
    END IF;
    IF s.updated = 1 AND s.task_phase = 'AGGREGATE' THEN
        WITH done AS (
            UPDATE jobs j
            SET state = 'COMPLETED', final_proof = p_result, finished_at = clock_timestamp(), updated_at = now(),
                error_code = NULL, error_message = NULL, waiting_reason = NULL
            WHERE j.job_id = s.task_job_id AND j.state = 'RUNNING' AND j.attempt = s.task_attempt
            RETURNING j.job_id),
        recorded AS (
            INSERT INTO job_events (job_id, event, state, phase, attempt, prover_id, task_id, detail)
            SELECT d.job_id, 'COMPLETED', 'COMPLETED', 'AGGREGATE', s.task_attempt, s.task_prover_id, p_task_id,
                   'final proof ' || length(p_result) || ' bytes, ' || p_verification
            FROM done d)
        SELECT count(*) INTO v_completed FROM done;
        IF v_completed = 1 THEN
            PERFORM zisk_release_all(s.task_job_id);
        END IF;
    END IF;
    IF s.updated = 0 OR s.task_phase = 'AGGREGATE' OR s.unfinished > 0 THEN
        RETURN QUERY SELECT p_task_id, s.updated, s.task_job_id, s.task_attempt, s.task_phase, s.task_prover_id, s.succeeded_before,
                            s.unfinished, v_released, v_completed, 0, NULL::double precision, NULL::bytea[],
                            NULL::uuid, NULL::text, NULL::integer, NULL::text, NULL::text;
        RETURN;
    END IF;

    v_next := CASE s.task_phase WHEN 'PARTIAL_CONTRIBUTION' THEN 'PROVE' ELSE 'AGGREGATE' END;
    SELECT extract(epoch FROM clock_timestamp() - min(r.dispatched_at)),
           ARRAY(SELECT DISTINCT ON (i.rank_id) i.result FROM tasks i
                 WHERE i.job_id = s.task_job_id AND i.attempt = s.task_attempt AND i.task_type = s.task_phase
                   AND i.state = 'SUCCEEDED'
                 ORDER BY i.rank_id, i.replacement DESC)
    INTO v_seconds, v_inputs
    FROM tasks r
    WHERE r.job_id = s.task_job_id AND r.attempt = s.task_attempt AND r.task_type = s.task_phase;
    UPDATE jobs j SET phase = v_next, updated_at = now()
    WHERE j.job_id = s.task_job_id AND j.state = 'RUNNING' AND j.attempt = s.task_attempt;
    GET DIAGNOSTICS v_moved = ROW_COUNT;
    RETURN QUERY
    WITH written AS (
        INSERT INTO tasks (job_id, attempt, task_type, rank_id, prover_id, compute_units, state, dispatched_at,
                           replacement)
        SELECT t.job_id, t.attempt, v_next, t.rank_id, t.prover_id, t.compute_units,
               CASE WHEN p.instance_id = p_instance_id THEN 'DISPATCHED' ELSE 'ASSIGNED' END,
               CASE WHEN p.instance_id = p_instance_id THEN clock_timestamp() END, t.replacement
        FROM tasks t JOIN provers p ON p.prover_id = t.prover_id AND p.current_job_id = t.job_id
        WHERE t.job_id = s.task_job_id AND t.attempt = s.task_attempt AND t.task_type = s.task_phase AND t.state = 'SUCCEEDED'
        RETURNING tasks.task_id, tasks.task_type::text, tasks.rank_id::integer, tasks.prover_id,
                  tasks.state::text),
    recorded AS (
        INSERT INTO job_events (job_id, event, state, phase, attempt, detail)
        SELECT s.task_job_id, 'PHASE_STARTED', 'RUNNING', v_next, s.task_attempt,
               CASE WHEN v_next = 'AGGREGATE' THEN 'aggregator ' || (SELECT min(w.prover_id) FROM written w)
                    ELSE (SELECT count(*) FROM written) || ' prover(s)' END
        WHERE v_moved = 1)
    SELECT p_task_id, s.updated, s.task_job_id, s.task_attempt, s.task_phase, s.task_prover_id, s.succeeded_before, s.unfinished,
           v_released, 0, v_moved, v_seconds,
           -- the inputs once, on the first row: every task of the phase gets the same
           CASE WHEN row_number() OVER (ORDER BY w.rank_id) = 1 THEN v_inputs END,
           w.task_id, w.task_type, w.rank_id, w.prover_id, w.state
    FROM written w
    ORDER BY w.rank_id;
END
$$;
