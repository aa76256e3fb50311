-- Lost ranks are recomputed (README, "How a job runs"): when a prover is lost during
-- PARTIAL_CONTRIBUTION or PROVE, only its rank is run again on another idle prover; every other
-- rank's work is kept.

-- A rank may now have several tasks of one phase in one attempt: its first prover's (replacement 0)
-- and one per replacement since. Still at most one per (job, attempt, phase, rank, replacement).
ALTER TABLE tasks ADD COLUMN replacement integer NOT NULL DEFAULT 0 CHECK (replacement >= 0);
ALTER TABLE tasks DROP CONSTRAINT tasks_job_id_attempt_task_type_rank_id_key;
ALTER TABLE tasks ADD CONSTRAINT tasks_rank_replacement_key
    UNIQUE (job_id, attempt, task_type, rank_id, replacement);
-- No rank ever runs on two provers at once.
CREATE UNIQUE INDEX tasks_one_open_per_rank_idx ON tasks (job_id, attempt, rank_id)
    WHERE state IN ('ASSIGNED', 'DISPATCHED');

-- One row per rank lost with its prover: it waits for a replacement (replaced_by NULL) until an idle
-- prover with enough compute units takes it, or until the wait is over and the attempt restarts.
CREATE TABLE lost_ranks (
    lost_rank_id    bigserial   PRIMARY KEY,
    job_id          uuid        NOT NULL REFERENCES jobs (job_id) ON DELETE CASCADE,
    attempt         integer     NOT NULL CHECK (attempt > 0),
    rank_id         integer     NOT NULL CHECK (rank_id >= 0),
    compute_units   integer     NOT NULL CHECK (compute_units > 0), -- the rank's allocation
    phase           text        NOT NULL CHECK (phase IN ('PARTIAL_CONTRIBUTION', 'PROVE')), -- the job's, when lost
    lost_prover_id  text        NOT NULL,
    lost_at         timestamptz NOT NULL DEFAULT now(),
    replaced_by     text,
    replaced_at     timestamptz,
    CHECK ((replaced_by IS NULL) = (replaced_at IS NULL))
);

-- Admission looks for ranks still waiting; a rank waits for one replacement at a time.
CREATE UNIQUE INDEX lost_ranks_waiting_idx ON lost_ranks (job_id, attempt, rank_id) WHERE replaced_by IS NULL;
CREATE INDEX lost_ranks_job_idx ON lost_ranks (job_id, attempt);
