-- A reconnect proves it is the session that registered: the register response hands the prover a
-- random secret, and only its SHA-256 is kept here. NULL for rows from before this column (their
-- next reconnect proves nothing and registers afresh).
ALTER TABLE provers
    ADD COLUMN session_secret_hash bytea CHECK (length(session_secret_hash) = 32);
