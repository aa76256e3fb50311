-- Whether a prover has a quarantine record (a failure streak, past quarantines, or a hold) was
-- written out in three places: the success fast path (zisk_report_success), the full report checks
-- (TaskDao.lockReported) and the success that clears the record (QuarantineDao.clear). It is one
-- function now. A SQL function of one expression is inlined where it is called, so it costs nothing
-- at run time; on a NULL row (a prover that is gone) it is NULL.
CREATE FUNCTION zisk_has_fault_record(p provers) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT p.failure_streak > 0 OR p.quarantine_count > 0 OR p.held_until IS NOT NULL
$$;

-- As in V14, but for the record test.
CREATE OR REPLACE FUNCTION zisk_report_success(
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
      AND NOT zisk_has_fault_record(p);
    IF FOUND THEN
        RETURN QUERY SELECT * FROM zisk_record_success(p_task_id, p_result, p_instance_id, p_verification);
    END IF;
END
$$;
