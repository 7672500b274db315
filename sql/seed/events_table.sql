-- grappe seed: the events of this run (events.sql), for their registrations (registrations.sql).
-- Several statements: run without parameters.

CREATE TEMP TABLE IF NOT EXISTS seed_events (id uuid PRIMARY KEY, capacity int); TRUNCATE seed_events
