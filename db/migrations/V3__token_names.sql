-- Who: the name of the token that launched a job, and of the token behind a LAUNCHED or CANCELLED
-- event. NULL when the coordinator runs without tokens (admin calls from loopback only).
ALTER TABLE jobs ADD COLUMN launched_by text CHECK (length(launched_by) BETWEEN 1 AND 64);
ALTER TABLE job_events ADD COLUMN token_name text CHECK (length(token_name) BETWEEN 1 AND 64);
