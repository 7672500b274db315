-- grappe seed: the clusters to join, as pool_export.sql read them on the first connection: $1 ids,
-- $2 weights, $3 dissolved flags, in pool order.

INSERT INTO seed_pool (id, founded_on, regions, weight, dissolved)
SELECT c.id, c.founded_on, c.region_codes, u.w, u.d
 FROM unnest($1::uuid[], $2::int[], $3::bool[]) WITH ORDINALITY AS u (id, w, d, o) JOIN clusters c ON c.id = u.id
 ORDER BY u.o
