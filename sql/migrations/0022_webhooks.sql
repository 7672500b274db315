-- Webhooks (issue 18): subscriptions to the change feed, delivered by the server's workers.
--
-- A subscription delivers the feed's changes that match its filters, one POST each, in feed
-- order: `feed_position` is the feed position up to which it has delivered (or skipped what did
-- not match). A worker takes a subscription for a while (lease_owner, lease_until), sends
-- what follows its position, then writes the new position and the attempts in one
-- transaction, on the condition that it still holds the lease: a process that dies
-- mid-delivery loses its lease when lease_until passes and another sends the same changes
-- again (at least once, same webhook-id). Writes through the API bump settings_version, and
-- a worker whose batch began before such a write (a replay, a new filter) keeps nothing of
-- its position.

-- The W3C trace context of the request that wrote a change, passed on to its deliveries: the
-- server sets grappe.trace in the write's transaction, as it sets grappe.origin.
ALTER TABLE changes ADD COLUMN trace text DEFAULT nullif(current_setting('grappe.trace', true), '');

CREATE TABLE webhooks (
  id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner                 text NOT NULL,   -- the key id (or token subject) that created it
  owner_role            text NOT NULL CHECK (owner_role IN ('admin', 'reader', 'manager')),
  url                   text NOT NULL CHECK (length(url) BETWEEN 1 AND 2048),
  types                 text[] NOT NULL DEFAULT '{}',   -- empty: every type
  cluster_ids           uuid[] NOT NULL DEFAULT '{}',   -- empty: every cluster
  region                text REFERENCES regions (code),
  exclude_origin        text CHECK (exclude_origin IN ('self')),
  description           text CHECK (length(description) <= 500),
  active                boolean NOT NULL DEFAULT true,
  disabled_reason       text,
  disabled_at           timestamptz,
  secret                text NOT NULL,
  previous_secret       text,
  previous_secret_until timestamptz,
  feed_position         bigint NOT NULL CHECK (feed_position >= 0),
  -- the snapshot of its creation: changes it shows as committed came before the subscription
  -- and are not sent, even when the feed numbers them later (a backlog nobody had
  -- numbered); a replay clears it
  start_snapshot        pg_snapshot,
  next_attempt_at       timestamptz NOT NULL DEFAULT now(),
  failing_since         timestamptz,
  attempts              integer NOT NULL DEFAULT 0,     -- failed attempts of the change at position + 1
  last_error            text,
  lease_owner           text,
  lease_until           timestamptz,
  settings_version      integer NOT NULL DEFAULT 1,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now()
);
-- what the workers look for: active subscriptions due, in order
CREATE INDEX webhooks_due ON webhooks (next_attempt_at) WHERE active;
CREATE INDEX webhooks_owner ON webhooks (owner, created_at, id);

-- Each attempt, kept 7 days (the workers purge older ones).
CREATE TABLE webhook_deliveries (
  id              bigserial PRIMARY KEY,
  webhook_id      uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
  message_id      text NOT NULL,
  seq             bigint,          -- the change's feed position; NULL for a test
  event_type      text NOT NULL,
  attempt         integer NOT NULL,
  attempted_at    timestamptz NOT NULL,
  duration_ms     double precision NOT NULL,
  status          integer,         -- the receiver's HTTP status, NULL when none came
  ok              boolean NOT NULL,
  error           text,
  response_body   text CHECK (octet_length(response_body) <= 1024),
  next_attempt_at timestamptz
);
CREATE INDEX webhook_deliveries_of ON webhook_deliveries (webhook_id, id DESC);
CREATE INDEX webhook_deliveries_age ON webhook_deliveries (attempted_at);

-- The feed is numbered in steps of at most 20,000 changes. A backlog (a large import that
-- nobody followed, a database seeded for a benchmark) was numbered in one statement, which
-- for half a million changes outlasts the API's statement timeout: every caller's attempt was
-- cancelled, and the feed and the webhooks stood still for ever. Each call still numbers
-- only committed changes, after every number already given, so a later step gives later
-- numbers and nothing appears below a position a follower has passed; the changes of one
-- step keep their (xid, id) order, and the steps follow that order too.
CREATE OR REPLACE FUNCTION number_changes() RETURNS bigint
  LANGUAGE plpgsql AS $$
DECLARE
  base bigint;
  numbered bigint;
BEGIN
  SELECT last_seq INTO base FROM changes_counter FOR UPDATE;  -- one numberer at a time
  WITH pending AS (
    SELECT id, row_number() OVER (ORDER BY xid, id) AS n
    FROM (SELECT id, xid FROM changes WHERE seq IS NULL ORDER BY xid, id LIMIT 20000) p)
  UPDATE changes c SET seq = base + pending.n FROM pending WHERE c.id = pending.id;
  GET DIAGNOSTICS numbered = ROW_COUNT;
  IF numbered > 0 THEN
    UPDATE changes_counter SET last_seq = base + numbered;
  END IF;
  RETURN base + numbered;
END $$;
