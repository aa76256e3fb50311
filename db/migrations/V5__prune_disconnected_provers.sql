-- DISCONNECTED provers are pruned after a retention period (provers.retention_hours), so that
-- registrations under ever new ids cannot grow the provers table without bound.
--
-- A finished task keeps its prover's id as history, as job_events.prover_id always has, after the
-- prover is pruned. The foreign key from tasks would forbid that (a prover that ever worked could
-- never go) and would make every delete scan all of tasks (prover_id has no index of its own: the
-- hot path pays for every index on tasks). It becomes a check on insert only: a new task must
-- name an existing prover, whose row it key-share locks as the foreign key did, so no prune can
-- remove it before the task commits. Tasks are only ever given to IDLE or BUSY provers; only
-- DISCONNECTED ones are pruned.
ALTER TABLE tasks DROP CONSTRAINT tasks_prover_id_fkey;

CREATE FUNCTION tasks_prover_exists() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM provers WHERE prover_id = NEW.prover_id FOR KEY SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'task for unknown prover %', NEW.prover_id USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER tasks_prover_exists BEFORE INSERT OR UPDATE OF prover_id ON tasks
    FOR EACH ROW EXECUTE FUNCTION tasks_prover_exists();

-- Pruning looks for the longest-disconnected provers.
CREATE INDEX provers_disconnected_idx ON provers (disconnected_at) WHERE state = 'DISCONNECTED';
