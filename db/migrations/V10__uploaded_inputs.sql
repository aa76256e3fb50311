-- Inputs over the API (README, "Inputs over the API"): a job may name an input uploaded with
-- UploadInput (its SHA-256, input_id) instead of an input_path every worker must be able to read.

-- The bytes of one upload, in chunk rows written as they arrive. An upload is pending until its
-- inputs row exists; a broken one is deleted with its chunks (at once, or by the retention chore
-- once it has been idle for long).
CREATE TABLE input_uploads (
    upload_id   uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    started_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE input_chunks (
    upload_id   uuid    NOT NULL REFERENCES input_uploads (upload_id) ON DELETE CASCADE,
    seq         integer NOT NULL CHECK (seq >= 0),
    bytes       bytea   NOT NULL CHECK (length(bytes) > 0),
    PRIMARY KEY (upload_id, seq)
);

-- A stored input: visible (launchable, downloadable) once this row is committed, which happens in
-- one statement at the end of its upload. Several uploads of the same bytes race on the primary
-- key: one row wins, the others' chunks are deleted.
CREATE TABLE inputs (
    input_id     text        PRIMARY KEY CHECK (input_id ~ '^[0-9a-f]{64}$'),
    upload_id    uuid        NOT NULL UNIQUE REFERENCES input_uploads (upload_id) ON DELETE CASCADE,
    size_bytes   bigint      NOT NULL CHECK (size_bytes > 0),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz NOT NULL DEFAULT now()  -- uploaded again or launched with
);
CREATE INDEX inputs_last_used_idx ON inputs (last_used_at);

-- A job reads its input from input_path or from input_id, never both. No foreign key on input_id:
-- a finished job keeps the id it ran with while its input is deleted after the retention period.
-- Unfinished jobs' inputs are kept by the retention chore itself (and a launch touches its input's
-- last_used_at in its own transaction, so a deletion racing it waits and then skips the row).
ALTER TABLE jobs ALTER COLUMN input_path DROP NOT NULL;
ALTER TABLE jobs ADD COLUMN input_id text CHECK (input_id ~ '^[0-9a-f]{64}$');
ALTER TABLE jobs ADD CONSTRAINT jobs_one_input_source CHECK ((input_path IS NULL) <> (input_id IS NULL));
CREATE INDEX jobs_unfinished_input_idx ON jobs (input_id) WHERE input_id IS NOT NULL AND state IN ('QUEUED', 'RUNNING');
