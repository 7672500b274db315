-- Idempotency-Key on POST: the first answer to (caller, key) is kept for 24 hours and
-- replayed to retries with the same request; the row exists from the start of the first
-- request ('running'), so a concurrent duplicate is refused instead of run twice.
CREATE TABLE idempotency_keys (
  caller       text NOT NULL,       -- API key id, or anonymous:<client address>
  key          text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
  fingerprint  text NOT NULL,       -- SHA-256 of method, path, query, content type and body
  state        text NOT NULL CHECK (state IN ('running', 'done')),
  status       integer,
  headers      jsonb,
  body         bytea,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (caller, key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
