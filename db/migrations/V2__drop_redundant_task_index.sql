-- tasks_job_idx (job_id, attempt, task_type) is a prefix of the unique index on
-- (job_id, attempt, task_type, rank_id), which serves the same lookups. Every task insert and state
-- change paid for both; the hot path writes tasks several times per job.
DROP INDEX tasks_job_idx;
