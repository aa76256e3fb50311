-- The durable state of a ZisK proving cluster. Every coordinator is stateless: what it knows is here.
-- States are text with CHECK constraints (readable in psql, easy to extend by migration).

-- One row per coordinator process that ever ran against this database.
CREATE TABLE coordinator_instances (
    instance_id   uuid        PRIMARY KEY,
    address       text        NOT NULL,          -- host:port it serves gRPC on
    version       text        NOT NULL,
    started_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(), -- refreshed by the instance's own heartbeat
    stopped_at    timestamptz                         -- set on a graceful stop
);

-- Provers (workers), keyed by the id they register with.
CREATE TABLE provers (
    prover_id          text        PRIMARY KEY
                                   CHECK (length(prover_id) BETWEEN 1 AND 128),
    state              text        NOT NULL
                                   CHECK (state IN ('IDLE', 'BUSY', 'DISCONNECTED')),
    compute_units      integer     NOT NULL CHECK (compute_units > 0),
    -- The coordinator holding its stream; NULL while it has none.
    instance_id        uuid        REFERENCES coordinator_instances (instance_id) ON DELETE SET NULL,
    -- Bumped on every register/reconnect: a message from an older session is stale.
    session_epoch      bigint      NOT NULL DEFAULT 1,
    -- The job this prover works for (or waits to aggregate); set exactly while BUSY.
    current_job_id     uuid,
    connected_at       timestamptz NOT NULL DEFAULT now(),
    last_heartbeat_at  timestamptz NOT NULL DEFAULT now(),
    -- When a BUSY prover's stream broke: it may reconnect and keep its work until the grace period ends.
    stream_lost_at     timestamptz,
    disconnected_at    timestamptz,
    CHECK (state <> 'DISCONNECTED' OR instance_id IS NULL),
    CHECK ((state = 'BUSY') = (current_job_id IS NOT NULL)),
    CHECK ((stream_lost_at IS NOT NULL) <= (instance_id IS NULL))
);

-- Admission looks for connected IDLE provers.
CREATE INDEX provers_idle_idx ON provers (compute_units DESC, prover_id) WHERE state = 'IDLE' AND instance_id IS NOT NULL;
-- Sweeps look for silent provers and broken streams.
CREATE INDEX provers_heartbeat_idx ON provers (last_heartbeat_at) WHERE state <> 'DISCONNECTED';

CREATE TABLE jobs (
    job_id             uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    block_id           text        NOT NULL CHECK (length(block_id) BETWEEN 1 AND 256),
    input_path         text        NOT NULL CHECK (length(input_path) BETWEEN 1 AND 4096),
    compute_capacity   integer     NOT NULL CHECK (compute_capacity > 0),
    -- Idempotency key of LaunchProof: a retry with the same key finds this job.
    client_request_id  text        UNIQUE CHECK (length(client_request_id) BETWEEN 1 AND 256),
    state              text        NOT NULL DEFAULT 'QUEUED'
                                   CHECK (state IN ('QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED')),
    -- The current phase while RUNNING; the last phase reached afterwards; NULL before the first start.
    phase              text        CHECK (phase IN ('PARTIAL_CONTRIBUTION', 'PROVE', 'AGGREGATE')),
    attempt            integer     NOT NULL DEFAULT 0 CHECK (attempt >= 0),
    max_attempts       integer     NOT NULL DEFAULT 3 CHECK (max_attempts > 0),
    -- Failures caused by infrastructure (lost prover, dead coordinator) vs. a prover reporting an error.
    infra_failures     integer     NOT NULL DEFAULT 0,
    task_failures      integer     NOT NULL DEFAULT 0,
    created_at         timestamptz NOT NULL DEFAULT now(),
    started_at         timestamptz,             -- start of the current attempt
    finished_at        timestamptz,
    updated_at         timestamptz NOT NULL DEFAULT now(),
    waiting_reason     text,                    -- why a QUEUED job has not started yet
    error_code         text,
    error_message      text,
    final_proof        bytea,                   -- serialized FinalProofList, written once
    CHECK (state <> 'RUNNING' OR (phase IS NOT NULL AND started_at IS NOT NULL AND attempt > 0)),
    CHECK (state <> 'COMPLETED' OR (final_proof IS NOT NULL AND finished_at IS NOT NULL)),
    CHECK ((state IN ('COMPLETED', 'FAILED', 'CANCELLED')) = (finished_at IS NOT NULL)),
    CHECK (state = 'COMPLETED' OR final_proof IS NULL),
    CHECK (attempt <= max_attempts)
);

-- Admission takes the oldest QUEUED job; history lists newest first.
CREATE INDEX jobs_queued_idx ON jobs (created_at, job_id) WHERE state = 'QUEUED';
CREATE INDEX jobs_active_idx ON jobs (created_at DESC, job_id DESC) WHERE state IN ('QUEUED', 'RUNNING');
CREATE INDEX jobs_history_idx ON jobs (created_at DESC, job_id DESC);

CREATE TABLE tasks (
    task_id        uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    job_id         uuid        NOT NULL REFERENCES jobs (job_id) ON DELETE CASCADE,
    attempt        integer     NOT NULL CHECK (attempt > 0),
    task_type      text        NOT NULL CHECK (task_type IN ('PARTIAL_CONTRIBUTION', 'PROVE', 'AGGREGATE')),
    rank_id        integer     NOT NULL CHECK (rank_id >= 0),
    prover_id      text        NOT NULL REFERENCES provers (prover_id),
    compute_units  integer     NOT NULL CHECK (compute_units > 0),
    state          text        NOT NULL DEFAULT 'ASSIGNED'
                               CHECK (state IN ('ASSIGNED', 'DISPATCHED', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'LOST')),
    params         bytea,                       -- serialized task parameters, written once
    result         bytea,                       -- serialized result, written once
    error_message  text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    dispatched_at  timestamptz,
    finished_at    timestamptz,
    -- A task exists once per (job, attempt, phase, rank).
    UNIQUE (job_id, attempt, task_type, rank_id),
    CHECK (state <> 'SUCCEEDED' OR (result IS NOT NULL AND finished_at IS NOT NULL)),
    CHECK (state NOT IN ('ASSIGNED', 'DISPATCHED') OR finished_at IS NULL)
);

-- A prover runs at most one task at a time: no task is ever live on two provers' plates at once.
CREATE UNIQUE INDEX tasks_one_active_per_prover_idx ON tasks (prover_id) WHERE state IN ('ASSIGNED', 'DISPATCHED');
-- Dispatch looks for ASSIGNED tasks of the provers an instance holds.
CREATE INDEX tasks_assigned_idx ON tasks (prover_id) WHERE state = 'ASSIGNED';
CREATE INDEX tasks_job_idx ON tasks (job_id, attempt, task_type);

-- Append-only history of every transition, for people reading it in psql.
CREATE TABLE job_events (
    event_id    bigserial   PRIMARY KEY,
    job_id      uuid        NOT NULL REFERENCES jobs (job_id) ON DELETE CASCADE,
    at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    event       text        NOT NULL,   -- LAUNCHED, STARTED, PHASE_STARTED, TASK_SUCCEEDED, REQUEUED, COMPLETED, ...
    state       text,                   -- the job's state after the event
    phase       text,
    attempt     integer,
    prover_id   text,
    task_id     uuid,
    detail      text
);

CREATE INDEX job_events_job_idx ON job_events (job_id, event_id);

-- Declared here because jobs is created after provers.
ALTER TABLE provers ADD CONSTRAINT provers_current_job_fk FOREIGN KEY (current_job_id) REFERENCES jobs (job_id) ON DELETE SET NULL;
CREATE INDEX provers_current_job_idx ON provers (current_job_id) WHERE current_job_id IS NOT NULL;
