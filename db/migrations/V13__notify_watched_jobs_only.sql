-- WatchJob wake-ups only for jobs someone watches. V11's trigger sent a NOTIFY for every job event;
-- a transaction that notifies takes PostgreSQL's one notification-queue lock at commit, and every
-- coordinator's listener woke for every event, watched or not: about a fifth of the throughput of
-- the bench (README "Performance"). Now a coordinator records the jobs its WatchJob calls follow,
-- and the trigger notifies only for those. The notification stays a wake-up: each coordinator also
-- reads its watched jobs every few seconds, so an event written in the instant a watch starts is
-- late at most by that poll, never lost.

CREATE TABLE job_watches (
    job_id       uuid NOT NULL,
    -- Rows of a coordinator go with its instance row (pruned once it is long gone).
    instance_id  uuid NOT NULL REFERENCES coordinator_instances (instance_id) ON DELETE CASCADE,
    PRIMARY KEY (job_id, instance_id)
);

CREATE INDEX job_watches_instance_idx ON job_watches (instance_id);

CREATE OR REPLACE FUNCTION job_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM job_watches WHERE job_id = NEW.job_id) THEN
        PERFORM pg_notify('zisk_job_event', NEW.job_id::text);
    END IF;
    RETURN NULL;
END
$$;
