-- grappe seed: $1 events over three years (two past, one ahead), mostly organised by a cluster,
-- recorded in seed_events.

WITH cl AS (SELECT array_agg(id ORDER BY name COLLATE "C", id) AS ids FROM clusters),
 ins AS (INSERT INTO events (title, description, kind, organizer_cluster_id, starts_at, ends_at, mode, venue,
  online_url, capacity, status, public)
 SELECT k.label || ' ' || s.lname || ' n° ' || x.g, k.label || ' consacré à la filière ' || s.lname || ' : '
  || s.phrase || '.', k.kind, x.org, x.starts, x.starts + make_interval(hours => 2 + floor(x.r_len * 7)::int),
  x.mode, CASE WHEN x.mode <> 'online' THEN jsonb_build_object('name', 'Salle ' || x.g, 'street', NULL,
  'postal_code', NULL, 'city', NULL, 'commune_code', NULL) END,
  CASE WHEN x.mode <> 'in_person' THEN 'https://visio.example.org/' || x.g END,
  CASE WHEN x.r_cap < 0.3 THEN NULL ELSE 20 + floor(x.r_cap * 180)::int END,
  CASE WHEN x.r_st < 0.04 THEN 'cancelled' ELSE 'scheduled' END, x.r_pub < 0.9
 FROM (SELECT r.*, CASE WHEN r.r_org < 0.05 THEN NULL ELSE cl.ids[1 + floor(r.r_o * array_length(cl.ids, 1))::int]::uuid
   END AS org, date_trunc('hour', now()) + make_interval(hours => floor((r.r_when - 0.66) * 26280)::int) AS starts,
   (ARRAY['in_person','in_person','in_person','online','hybrid'])[1 + floor(r.r_mode * 5)::int] AS mode
   FROM (SELECT g, random() AS r_kind, random() AS r_sec, random() AS r_org, random() AS r_o, random() AS r_when,
    random() AS r_len, random() AS r_mode, random() AS r_cap, random() AS r_st, random() AS r_pub
    FROM generate_series(1, $1::int) AS g OFFSET 0) r, cl) x
 JOIN (SELECT * FROM (VALUES (0, 'training', 'Formation'), (1, 'benchmarking', 'Rencontre benchmarking'),
   (2, 'networking', 'Soirée réseau'), (3, 'webinar', 'Webinaire'), (4, 'trade_fair', 'Salon'),
   (5, 'export_mission', 'Mission export'), (6, 'workshop', 'Atelier'), (7, 'general_assembly', 'Assemblée générale'),
   (8, 'conference', 'Conférence'), (9, 'other', 'Rendez-vous')) AS v (i, kind, label)) k ON k.i = floor(x.r_kind * 10)::int
 JOIN seed_sector s ON s.idx = 1 + floor(x.r_sec * (SELECT count(*) FROM seed_sector))::int
 RETURNING id, capacity)
INSERT INTO seed_events SELECT id, capacity FROM ins
