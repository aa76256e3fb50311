-- A job's run writes about fifteen events, and each fired two row triggers: a BEFORE trigger that
-- takes the event's id (V11) and an AFTER trigger that wakes the coordinators watching the job
-- (V13). An AFTER row trigger also queues the row and fetches it again at the end of the statement;
-- measured in a PL/pgSQL loop of single-row inserts (README "Performance"), the pair cost about a
-- quarter of an event's insert more than one BEFORE trigger doing both. Both rules are unchanged:
--   1. the id is taken only after the transaction has an xid (V11 says why WatchJob needs that);
--   2. a watched job's event queues a wake-up. A notification queued by a statement that then
--      fails is discarded with it (with the transaction, or the subtransaction that ran it), so
--      queuing it before the row is written wakes no one for an event that never was.
-- The sequence is named directly: pg_get_serial_sequence looked it up in the catalogs per event.
-- (Assignments, not PERFORM: PL/pgSQL evaluates a plain expression without starting an executor.)
CREATE FUNCTION job_events_before_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_xid xid8;
BEGIN
    v_xid := pg_current_xact_id();
    NEW.event_id := nextval('job_events_event_id_seq'::regclass);
    IF EXISTS (SELECT 1 FROM job_watches WHERE job_id = NEW.job_id) THEN
        PERFORM pg_notify('zisk_job_event', NEW.job_id::text);
    END IF;
    RETURN NEW;
END
$$;

DROP TRIGGER job_events_take_id ON job_events;
DROP TRIGGER job_events_notify ON job_events;
DROP FUNCTION job_events_take_id();
DROP FUNCTION job_events_notify();

CREATE TRIGGER job_events_take_id_and_notify BEFORE INSERT ON job_events
    FOR EACH ROW EXECUTE FUNCTION job_events_before_insert();
