-- grappe seed: with --clusters 0, companies join the clusters already there (in an order that does
-- not depend on their random ids, for reproducible runs).

INSERT INTO seed_pool (id, founded_on, regions, weight, dissolved)
SELECT c.id, c.founded_on, c.region_codes, CASE c.kind WHEN 'pole_competitivite' THEN 6 WHEN 'spl' THEN 1
 WHEN 'other' THEN 1 ELSE 3 END * (1 + floor(random() * 3))::int, c.status = 'dissolved'
 FROM (SELECT id, founded_on, region_codes, kind, status FROM clusters ORDER BY name COLLATE "C", founded_on, id) c
