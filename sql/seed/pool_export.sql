-- grappe seed: the clusters to join, read on the first connection (ids in pool order, weights,
-- dissolved flags) and handed to the others (pool_import.sql), so that every connection draws from
-- the same pool.

SELECT coalesce(array_agg(id ORDER BY idx), '{}')::text, coalesce(array_agg(weight ORDER BY idx), '{}')::text,
 coalesce(array_agg(dissolved ORDER BY idx), '{}')::text FROM seed_pool
