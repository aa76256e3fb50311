-- Final proofs are verified before a job completes (README, "Proofs verified before they count").
-- A proof that fails verification fails its attempt; those failures are counted apart from task
-- errors and lost provers.
ALTER TABLE jobs ADD COLUMN invalid_proofs integer NOT NULL DEFAULT 0;

-- The prover that aggregated an invalid proof gets no new work until then (admission skips it).
-- NULL, or a time in the past: not held.
ALTER TABLE provers ADD COLUMN held_until timestamptz;
