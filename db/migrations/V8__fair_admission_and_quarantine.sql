-- Fair admission and quarantine (README, "How a job runs" and "Reliability").

-- Admission takes the oldest QUEUED jobs that fit the idle capacity (compute_capacity <= idle units),
-- so jobs larger than the cluster never block the ones behind them. With jobs_queued_idx (oldest
-- first) the planner walks the queue in order; with this one it reads only the jobs small enough.
CREATE INDEX jobs_queued_capacity_idx ON jobs (compute_capacity, created_at, job_id) WHERE state = 'QUEUED';

-- Quarantine. held_until (V4) is now "quarantined until": no new work until then, whatever the
-- reason (failures in a row, timeouts, an invalid final proof). NULL or past: not quarantined.
-- failure_streak: failed, timed-out or invalid tasks in a row since the prover's last success.
-- quarantine_count: quarantines since that success; each one doubles the cool-down.
ALTER TABLE provers ADD COLUMN failure_streak   integer NOT NULL DEFAULT 0 CHECK (failure_streak >= 0);
ALTER TABLE provers ADD COLUMN quarantine_count integer NOT NULL DEFAULT 0 CHECK (quarantine_count >= 0);
ALTER TABLE provers ADD COLUMN quarantine_reason text CHECK (length(quarantine_reason) <= 1024);

-- A prover that answers "busy" (running another task) gets the task again later: the task goes back
-- to ASSIGNED and is not claimed before dispatch_after. busy_answers counts those refusals; the
-- first dispatched_at is kept, so time spent waiting on a busy prover still counts for the task.
ALTER TABLE tasks ADD COLUMN busy_answers integer NOT NULL DEFAULT 0 CHECK (busy_answers >= 0);
ALTER TABLE tasks ADD COLUMN dispatch_after timestamptz;
