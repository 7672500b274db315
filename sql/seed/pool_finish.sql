-- grappe seed: slots of the clusters to join, overall and by region; dissolved clusters take no new
-- members unless there is nothing else. Answers the number of slots. Several statements: run
-- without parameters.

CREATE TEMP TABLE seed_pool_slot AS SELECT (row_number() OVER (ORDER BY p.idx, k) - 1)::int AS slot, p.idx
 FROM seed_pool p, generate_series(1, p.weight) k
 WHERE NOT p.dissolved OR NOT EXISTS (SELECT 1 FROM seed_pool q WHERE NOT q.dissolved);
ALTER TABLE seed_pool_slot ADD PRIMARY KEY (slot);
CREATE TEMP TABLE seed_region_slot AS SELECT r.region,
 (row_number() OVER (PARTITION BY r.region ORDER BY p.idx, k) - 1)::int AS slot, p.idx
 FROM seed_pool p CROSS JOIN LATERAL unnest(p.regions) AS r (region) CROSS JOIN generate_series(1, p.weight) k
 WHERE NOT p.dissolved OR NOT EXISTS (SELECT 1 FROM seed_pool q WHERE NOT q.dissolved);
ALTER TABLE seed_region_slot ADD PRIMARY KEY (region, slot);
CREATE TEMP TABLE seed_region_pool AS SELECT region, count(*)::int AS n FROM seed_region_slot GROUP BY region;
UPDATE seed_meta SET n_pool = (SELECT count(*) FROM seed_pool_slot);
ANALYZE seed_pool, seed_pool_slot, seed_region_slot, seed_region_pool, seed_meta;
SELECT n_pool FROM seed_meta
