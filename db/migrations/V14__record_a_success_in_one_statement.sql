-- A prover's result is the hot path of every job: it used to cost four round trips (lock and check
-- the task, record it, enter the next phase, commit), and on a 2-core machine each round trip costs
-- more than the statement it carries (README "Performance"). These functions record a success, and
-- everything that follows from it, in one statement; outside a transaction that statement is also
-- its own commit. JobLifecycle decides when they run and turns what they answer into its effects.

-- A task that ran its course: DISPATCHED to SUCCEEDED with its result and TASK_SUCCEEDED event, and
-- how its phase stands now: how many of the phase had succeeded before it, and how many ranks have
-- not finished (a lost rank's tasks count once, by rank). updated is 0, and nothing else is set,
-- when the task was not DISPATCHED.
CREATE FUNCTION zisk_succeed_task(
    p_task_id uuid, p_result bytea,
    OUT updated integer, OUT task_job_id uuid, OUT task_attempt integer, OUT task_phase text,
    OUT task_prover_id text, OUT succeeded_before integer, OUT unfinished integer)
LANGUAGE plpgsql AS $$
DECLARE
    v_rank integer;
BEGIN
    UPDATE tasks t SET state = 'SUCCEEDED', result = p_result, finished_at = clock_timestamp()
    WHERE t.task_id = p_task_id AND t.state = 'DISPATCHED'
    RETURNING t.job_id, t.attempt, t.task_type, t.prover_id, t.rank_id
    INTO task_job_id, task_attempt, task_phase, task_prover_id, v_rank;
    IF NOT FOUND THEN
        updated := 0;
        RETURN;
    END IF;
    updated := 1;
    INSERT INTO job_events (job_id, event, state, phase, attempt, prover_id, task_id, detail)
    VALUES (task_job_id, 'TASK_SUCCEEDED', 'RUNNING', task_phase, task_attempt, task_prover_id, p_task_id,
            'rank ' || v_rank);
    SELECT count(*) FILTER (WHERE t.state = 'SUCCEEDED' AND t.task_id <> p_task_id),
           count(DISTINCT t.rank_id) - count(DISTINCT t.rank_id) FILTER (WHERE t.state = 'SUCCEEDED')
    INTO succeeded_before, unfinished
    FROM tasks t
    WHERE t.job_id = task_job_id AND t.attempt = task_attempt AND t.task_type = task_phase;
END
$$;

-- A prover no longer reserved for the job: IDLE again, or DISCONNECTED if its stream is gone.
-- (PL/pgSQL, like the others: it keeps its plans for the session, where a SQL function plans its
-- statement at every call.)
CREATE FUNCTION zisk_release_prover(p_prover_id text, p_job_id uuid) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    v_released integer;
BEGIN
    UPDATE provers p
    SET current_job_id = NULL,
        state = CASE WHEN p.instance_id IS NULL THEN 'DISCONNECTED' ELSE 'IDLE' END,
        disconnected_at = CASE WHEN p.instance_id IS NULL THEN now() ELSE p.disconnected_at END,
        stream_lost_at = NULL
    WHERE p.prover_id = p_prover_id AND p.current_job_id = p_job_id;
    GET DIAGNOSTICS v_released = ROW_COUNT;
    RETURN v_released;
END
$$;

-- Every prover still working for (or waiting to aggregate) the job, released; with each one's
-- latest task of the job, for the JobCancelled it may need.
CREATE FUNCTION zisk_release_all(p_job_id uuid) RETURNS TABLE (prover_id text, last_task_id uuid)
LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY
    UPDATE provers p
    SET current_job_id = NULL,
        state = CASE WHEN p.instance_id IS NULL THEN 'DISCONNECTED' ELSE 'IDLE' END,
        disconnected_at = CASE WHEN p.instance_id IS NULL THEN now() ELSE p.disconnected_at END,
        stream_lost_at = NULL
    WHERE p.current_job_id = p_job_id
    RETURNING p.prover_id,
              (SELECT t.task_id FROM tasks t WHERE t.job_id = p_job_id AND t.prover_id = p.prover_id
               ORDER BY t.created_at DESC LIMIT 1);
END
$$;

-- A task succeeded (its job row locked and its report checked by the caller), and what follows.
-- How the phase stands (zisk_succeed_task) says what that is:
--   PROVE: the first prover to finish stays reserved to aggregate; the others are released;
--   the phase's last task: the next phase's tasks are written, one per succeeded task of a prover
--     still reserved for the job, DISPATCHED for provers whose stream p_instance_id holds (their
--     inputs, the phase's results by rank, a recomputed rank's latest, are answered with them),
--     ASSIGNED for the others; the job moves to that phase with its PHASE_STARTED event;
--   AGGREGATE: the job is COMPLETED with the final proof, its provers released.
-- One row per written task, or one row with null task columns when none was written; the other
-- columns repeat on each row, but the inputs, only on the first.
CREATE TYPE zisk_recorded_success AS (
    task_id uuid, updated integer, job_id uuid, attempt integer, phase text, prover_id text,
    succeeded_before integer, unfinished integer, released integer, completed integer, moved integer,
    previous_seconds double precision, inputs bytea[],
    new_task_id uuid, new_phase text, new_rank_id integer, new_prover_id text, new_state text);

CREATE FUNCTION zisk_record_success(
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
        RETURNING tasks.task_id, tasks.task_type, tasks.rank_id, tasks.prover_id, tasks.state),
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

-- The common case in one statement: a success that passes every check a report must pass
-- (ReportChecks), from a prover without a quarantine record, for a task that is not a recomputed
-- rank, is recorded with zisk_record_success. Anything else answers no row and changes nothing;
-- the caller then runs the full checks, which say why the report does not count, or take the
-- slower path. The job row is locked before the task is read, so the task is seen as the
-- transaction that held the lock left it.
CREATE FUNCTION zisk_report_success(
    p_task_id uuid, p_prover_id text, p_job_id uuid, p_phase text, p_epoch bigint,
    p_instance_id uuid, p_result bytea, p_verification text)
RETURNS SETOF zisk_recorded_success
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM jobs j WHERE j.job_id = (SELECT t.job_id FROM tasks t WHERE t.task_id = p_task_id)
    FOR UPDATE;
    PERFORM 1
    FROM tasks t
    JOIN jobs j ON j.job_id = t.job_id
    JOIN provers p ON p.prover_id = t.prover_id
    WHERE t.task_id = p_task_id AND t.job_id = p_job_id AND t.prover_id = p_prover_id
      AND t.task_type = p_phase AND t.state = 'DISPATCHED' AND t.replacement = 0
      AND j.state = 'RUNNING' AND j.attempt = t.attempt
      AND p.session_epoch = p_epoch AND p.instance_id = p_instance_id
      AND p.failure_streak = 0 AND p.quarantine_count = 0 AND p.held_until IS NULL;
    IF FOUND THEN
        RETURN QUERY SELECT * FROM zisk_record_success(p_task_id, p_result, p_instance_id, p_verification);
    END IF;
END
$$;

-- The reports that arrived together, in the order given: one statement, and one round trip, for the
-- whole batch. Each report's rows carry its task_id; a report not taken answers none.
CREATE FUNCTION zisk_report_successes(
    p_task_ids uuid[], p_prover_ids text[], p_job_ids uuid[], p_phases text[], p_epochs bigint[],
    p_results bytea[], p_verifications text[], p_instance_id uuid)
RETURNS SETOF zisk_recorded_success
LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1 .. coalesce(array_length(p_task_ids, 1), 0) LOOP
        RETURN QUERY SELECT * FROM zisk_report_success(p_task_ids[i], p_prover_ids[i], p_job_ids[i], p_phases[i],
                                                       p_epochs[i], p_instance_id, p_results[i], p_verifications[i]);
    END LOOP;
END
$$;
