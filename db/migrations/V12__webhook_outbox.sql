-- Webhooks: a job launched with a webhook_url gets its outcome POSTed there when it ends.
--
-- The delivery is a row of webhook_deliveries (an outbox), inserted by a trigger in the same
-- transaction that moves the job to a final state. A trigger rather than the Java lifecycle: every
-- path to COMPLETED, FAILED or CANCELLED (reports, cancels, sweeps, deadlines, proof checks, and any
-- added later) is an UPDATE of jobs.state, so none can forget the webhook, and a crash after the
-- commit loses nothing. The body is built here, once, so every retry sends the same bytes.

ALTER TABLE jobs ADD COLUMN webhook_url text CHECK (length(webhook_url) BETWEEN 1 AND 2048);

CREATE TABLE webhook_deliveries (
    -- Also the Idempotency-Key header: the same on every attempt of this delivery.
    delivery_id      uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    job_id           uuid        NOT NULL REFERENCES jobs (job_id) ON DELETE CASCADE,
    url              text        NOT NULL CHECK (length(url) BETWEEN 1 AND 2048),
    body             text        NOT NULL,
    state            text        NOT NULL DEFAULT 'PENDING' CHECK (state IN ('PENDING', 'DELIVERED', 'FAILED')),
    -- Attempts started; counted when an attempt is claimed, so one cut short by a crash counts.
    attempts         integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    -- PENDING: when the next attempt may start. While an attempt runs, the end of its lease: a
    -- coordinator that dies mid-send leaves the row to be claimed again once it passes.
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    claimed_by       uuid,                  -- the coordinator instance of the latest attempt
    last_status      integer,               -- HTTP status of the latest answer, if any
    last_error       text CHECK (length(last_error) <= 500),
    created_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz,           -- when DELIVERED or FAILED
    CHECK ((state = 'PENDING') = (finished_at IS NULL))
);

-- The delivery loop looks for due PENDING rows; operators look a job's deliveries up.
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE state = 'PENDING';
CREATE INDEX webhook_deliveries_job_idx ON webhook_deliveries (job_id);

-- Timestamps as RFC 3339 in UTC with microseconds, whatever the session's TimeZone.
CREATE FUNCTION webhook_time(at timestamptz) RETURNS text
    LANGUAGE sql IMMUTABLE
    RETURN to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');

CREATE FUNCTION enqueue_job_webhook() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO webhook_deliveries (job_id, url, body)
    VALUES (NEW.job_id, NEW.webhook_url, json_build_object(
        'job_id', NEW.job_id,
        'block_id', NEW.block_id,
        'state', NEW.state,
        'attempts', NEW.attempt,
        'timings', json_build_object(
            'created_at', webhook_time(NEW.created_at),
            'started_at', webhook_time(NEW.started_at),
            'finished_at', webhook_time(NEW.finished_at),
            'duration_ms', floor(extract(epoch FROM NEW.finished_at - NEW.created_at) * 1000)::bigint),
        -- The bytes GetProof serves: the serialized FinalProofList (JobProof.final_proof).
        'proof', CASE WHEN NEW.final_proof IS NULL THEN NULL ELSE json_build_object(
            'size_bytes', octet_length(NEW.final_proof),
            'sha256', encode(sha256(NEW.final_proof), 'hex')) END,
        'error', CASE WHEN NEW.error_code IS NULL AND NEW.error_message IS NULL THEN NULL ELSE json_build_object(
            'code', NEW.error_code,
            'message', NEW.error_message) END)::text);
    -- Wakes the delivery loops at commit; they also poll, so a lost wake-up only delays.
    PERFORM pg_notify('zisk_webhook', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER jobs_webhook_on_end
    AFTER UPDATE OF state ON jobs
    FOR EACH ROW
    WHEN (NEW.webhook_url IS NOT NULL
          AND NEW.state IN ('COMPLETED', 'FAILED', 'CANCELLED')
          AND OLD.state IS DISTINCT FROM NEW.state)
    EXECUTE FUNCTION enqueue_job_webhook();
