-- grappe seed: registrations to the events of this run: confirmed ones within the capacity, as the
-- API would have taken them.

INSERT INTO registrations (event_id, name, email, status, cancel_token_hash)
SELECT e.id, 'Participant ' || n, 'participant' || n || '.' || left(e.id::text, 8) || '@example.org', 'confirmed',
 sha256(uuid_send(gen_random_uuid()))
FROM (SELECT id, capacity, random() AS r FROM seed_events ORDER BY id OFFSET 0) e
 CROSS JOIN LATERAL generate_series(1, floor(e.r * least(coalesce(e.capacity, 60), 60))::int) AS n
