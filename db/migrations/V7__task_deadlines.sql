-- Task deadlines (README, "How a job runs"): a task DISPATCHED longer than its phase's limit is
-- TIMED_OUT, counted apart from task errors, lost provers and invalid proofs, and its rank handled
-- as lost.
ALTER TABLE tasks DROP CONSTRAINT tasks_state_check;
ALTER TABLE tasks ADD CONSTRAINT tasks_state_check
    CHECK (state IN ('ASSIGNED', 'DISPATCHED', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'LOST', 'TIMED_OUT'));

-- Tasks of the job that timed out.
ALTER TABLE jobs ADD COLUMN timeouts integer NOT NULL DEFAULT 0;

-- A job's own limits, in seconds (LaunchProof may lower the coordinator's, never raise them);
-- NULL: the coordinator's limit for that phase.
ALTER TABLE jobs ADD COLUMN partial_contribution_timeout_seconds integer
    CHECK (partial_contribution_timeout_seconds > 0);
ALTER TABLE jobs ADD COLUMN prove_timeout_seconds integer CHECK (prove_timeout_seconds > 0);
ALTER TABLE jobs ADD COLUMN aggregate_timeout_seconds integer CHECK (aggregate_timeout_seconds > 0);

-- The deadline sweep reads the DISPATCHED tasks by age: at most one per prover.
CREATE INDEX tasks_dispatched_idx ON tasks (dispatched_at) WHERE state = 'DISPATCHED';
