-- A company's "clusters" (the clusters it is a current member of) was a correlated subquery
-- over memberships for every company written out: 60 % of PostgreSQL's time in an NDJSON
-- export of 80,000 companies (1.6 of 2.7 s), and most of a page of 50. It is now kept on
-- the company by the statement triggers that already keep current_memberships, in the
-- writer's transaction and under the same row locks; like that counter it is not part of
-- what moves a company's version (it is derived from memberships, which have their own).
ALTER TABLE companies ADD COLUMN current_clusters jsonb NOT NULL DEFAULT '[]';

-- The statements that keep these derived columns set grappe.derived for their duration: the
-- touch trigger then lets the row through as it is (no new version). Assigning a jsonb or
-- array field of a PL/pgSQL record taken from OLD, the way current_memberships is set
-- aside below, crashed PostgreSQL 15.18 (pfree in plpgsql) on a many-row UPDATE.
CREATE OR REPLACE FUNCTION grappe_touch_company() RETURNS trigger
  LANGUAGE plpgsql AS $$
DECLARE
  o companies;
BEGIN
  IF current_setting('grappe.derived', true) = 'on' THEN
    RETURN NEW;
  END IF;
  o := OLD;
  o.current_memberships := NEW.current_memberships;
  o.search := NEW.search;
  IF NEW IS DISTINCT FROM o THEN
    NEW.version := OLD.version + 1;
    NEW.updated_at := clock_timestamp();
  END IF;
  RETURN NEW;
END $$;

CREATE FUNCTION company_current_clusters(uuid) RETURNS jsonb
  LANGUAGE sql STABLE
  AS $$ SELECT coalesce(jsonb_agg(cluster_id ORDER BY cluster_id), '[]') FROM memberships
        WHERE company_id = $1 AND left_on IS NULL $$;

SELECT set_config('grappe.derived', 'on', true);
UPDATE companies c SET current_clusters = company_current_clusters(c.id) WHERE c.current_memberships > 0;
SELECT set_config('grappe.derived', '', true);

-- The clusters are updated the way the counter is, from the row's latest version: a
-- statement that waited for another's lock on the company adds or removes its own
-- clusters to what that one left (recomputing from memberships would read a snapshot that
-- misses the other's, as a test of 8 concurrent memberships of one company showed).
CREATE FUNCTION clusters_apply(cur jsonb, added uuid[], removed uuid[]) RETURNS jsonb
  LANGUAGE sql IMMUTABLE
  AS $$ SELECT coalesce(jsonb_agg(x ORDER BY x), '[]') FROM (
          SELECT e::uuid AS x FROM jsonb_array_elements_text(cur) e
          WHERE e::uuid <> ALL (coalesce(removed, '{}'))
          UNION SELECT unnest(coalesce(added, '{}'))) s $$;

CREATE OR REPLACE FUNCTION memberships_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('grappe.derived', 'on', true);
  UPDATE companies c SET current_memberships = c.current_memberships + d.n,
                         current_clusters = clusters_apply(c.current_clusters, d.added, NULL)
  FROM (SELECT company_id, count(*)::int AS n, array_agg(cluster_id) AS added
        FROM new_rows WHERE left_on IS NULL GROUP BY company_id) d
  WHERE d.company_id = c.id AND c.id IN (SELECT c2.id FROM companies c2 JOIN new_rows r ON r.company_id = c2.id
                                         ORDER BY c2.id FOR NO KEY UPDATE OF c2);
  PERFORM set_config('grappe.derived', '', true);
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION memberships_count_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('grappe.derived', 'on', true);
  UPDATE companies c SET current_memberships = c.current_memberships + d.n,
                         current_clusters = clusters_apply(c.current_clusters, d.added, d.removed)
  FROM (SELECT company_id, sum(n)::int AS n, array_agg(cluster_id) FILTER (WHERE n = 1) AS added,
               array_agg(cluster_id) FILTER (WHERE n = -1) AS removed FROM (
          SELECT company_id, cluster_id, 1 AS n FROM new_rows WHERE left_on IS NULL
          UNION ALL SELECT company_id, cluster_id, -1 FROM old_rows WHERE left_on IS NULL) x
        GROUP BY company_id) d
  WHERE d.company_id = c.id AND c.id IN (SELECT c2.id FROM companies c2
                                         JOIN (SELECT company_id FROM new_rows UNION SELECT company_id FROM old_rows) r
                                           ON r.company_id = c2.id
                                         ORDER BY c2.id FOR NO KEY UPDATE OF c2);
  PERFORM set_config('grappe.derived', '', true);
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION memberships_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('grappe.derived', 'on', true);
  UPDATE companies c SET current_memberships = c.current_memberships - d.n,
                         current_clusters = clusters_apply(c.current_clusters, NULL, d.removed)
  FROM (SELECT company_id, count(*)::int AS n, array_agg(cluster_id) AS removed
        FROM old_rows WHERE left_on IS NULL GROUP BY company_id) d
  WHERE d.company_id = c.id AND c.id IN (SELECT c2.id FROM companies c2 JOIN old_rows r ON r.company_id = c2.id
                                         ORDER BY c2.id FOR NO KEY UPDATE OF c2);
  PERFORM set_config('grappe.derived', '', true);
  RETURN NULL;
END $$;
