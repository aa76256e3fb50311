-- WatchJob (README "Watching a job"): every coordinator learns of a job's new events at once, and a
-- watcher can stream a job's events in event_id order without a gap, even across coordinators.

-- 1. An event's id is taken only after its transaction has an xid. A reader then knows which ids
--    may still appear: every id at most the sequence value it read before its snapshot belongs to
--    a transaction with an xid below that snapshot's xmax, so once the database's oldest running
--    xid has passed that xmax, no id up to that value can appear any more (JobEventDao, JobFeed).
--    The column default's value is simply replaced (sequence gaps are harmless).
CREATE FUNCTION job_events_take_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_current_xact_id();
    NEW.event_id := nextval(pg_get_serial_sequence('job_events', 'event_id'));
    RETURN NEW;
END
$$;

CREATE TRIGGER job_events_take_id BEFORE INSERT ON job_events
    FOR EACH ROW EXECUTE FUNCTION job_events_take_id();

-- 2. A small wake-up (the job id) on commit; PostgreSQL folds repeats within a transaction into one.
CREATE FUNCTION job_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('zisk_job_event', NEW.job_id::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER job_events_notify AFTER INSERT ON job_events
    FOR EACH ROW EXECUTE FUNCTION job_events_notify();

-- 3. TASK_DISPATCHED, whichever statement sends a task to its prover: the claim of an ASSIGNED task
--    (DispatchDao) and the phase and rank transitions that create a task DISPATCHED at once when
--    the prover's stream is on the writing coordinator (TaskDao, RankDao). One place for all.
CREATE FUNCTION tasks_dispatched_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO job_events (job_id, event, state, phase, attempt, prover_id, task_id, detail)
    SELECT NEW.job_id, 'TASK_DISPATCHED', j.state, NEW.task_type, NEW.attempt, NEW.prover_id,
           NEW.task_id, 'rank ' || NEW.rank_id || ' sent to prover ' || NEW.prover_id
    FROM jobs j WHERE j.job_id = NEW.job_id;
    RETURN NULL;
END
$$;

CREATE TRIGGER tasks_dispatched_on_insert AFTER INSERT ON tasks
    FOR EACH ROW WHEN (NEW.state = 'DISPATCHED')
    EXECUTE FUNCTION tasks_dispatched_event();

CREATE TRIGGER tasks_dispatched_on_update AFTER UPDATE OF state ON tasks
    FOR EACH ROW WHEN (NEW.state = 'DISPATCHED' AND OLD.state <> 'DISPATCHED')
    EXECUTE FUNCTION tasks_dispatched_event();
