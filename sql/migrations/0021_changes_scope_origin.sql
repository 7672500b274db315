-- The change feed narrowed and attributed (issue 18).
--
-- Each change now records, when it is written:
--   origin        who wrote it: the API key id (or token subject) that the server sets with
--                 SET LOCAL grappe.origin in the write's transaction; NULL for psql and the
--                 command line, which set nothing;
--   cluster_ids   the clusters it concerns (a cluster itself; the cluster of a membership, a
--                 partner link, an indicator, an event; the lead and the participants of a
--                 project; the clusters a company is a current member of; the clusters a
--                 partner is linked to), for `cluster=` and a manager's narrowed feed;
--   region_codes  the regions it concerns (a company's or a partner's region; the regions of
--                 the clusters of the other types, and a membership's company's region too),
--                 for `region=`.
-- Recorded at write time, so that a delete keeps what it concerned. Changes recorded before
-- this migration get the same from the objects' current state (those deleted since get none,
-- and only the unnarrowed feed shows them).

ALTER TABLE changes
  ADD COLUMN origin text,
  ADD COLUMN cluster_ids uuid[],
  ADD COLUMN region_codes text[];

-- The regions of some clusters, as one array (unknown clusters add nothing).
CREATE FUNCTION clusters_regions(ids uuid[]) RETURNS text[]
  LANGUAGE sql STABLE AS $$
  SELECT coalesce(array_agg(DISTINCT r), '{}') FROM clusters c, unnest(c.region_codes) r WHERE c.id = ANY(ids)
$$;

-- Each branch reads the fields of its own table only (PL/pgSQL plans an expression when it
-- first runs, for the table whose trigger runs it).
CREATE OR REPLACE FUNCTION record_change() RETURNS trigger
  LANGUAGE plpgsql AS $$
DECLARE
  r record;
  op text;
  cl uuid[] := '{}';
  regions text[] := '{}';
BEGIN
  IF TG_OP = 'DELETE' THEN
    r := OLD;
    op := 'delete';
  ELSIF TG_OP = 'INSERT' OR NEW.version IS DISTINCT FROM OLD.version THEN
    -- an UPDATE that changed nothing keeps its version and is not a change
    r := NEW;
    op := 'upsert';
  ELSE
    RETURN NULL;
  END IF;
  CASE TG_ARGV[0]
  WHEN 'cluster' THEN
    cl := ARRAY[r.id];
    regions := r.region_codes;
  WHEN 'company' THEN
    cl := ARRAY(SELECT jsonb_array_elements_text(r.current_clusters)::uuid);
    regions := array_remove(ARRAY[r.region_code], NULL);
  WHEN 'partner' THEN
    cl := ARRAY(SELECT cp.cluster_id FROM cluster_partners cp WHERE cp.partner_id = r.id);
    regions := array_remove(ARRAY[r.region_code], NULL);
  WHEN 'membership' THEN
    cl := ARRAY[r.cluster_id];
    regions := clusters_regions(cl) ||
               ARRAY(SELECT co.region_code FROM companies co WHERE co.id = r.company_id AND co.region_code IS NOT NULL);
  WHEN 'cluster_partner' THEN
    cl := ARRAY[r.cluster_id];
    regions := clusters_regions(cl) ||
               ARRAY(SELECT p.region_code FROM partners p WHERE p.id = r.partner_id AND p.region_code IS NOT NULL);
  WHEN 'project' THEN
    cl := r.lead_cluster_id || r.cluster_ids::uuid[];
    regions := clusters_regions(cl);
  WHEN 'event' THEN
    cl := array_remove(ARRAY[r.organizer_cluster_id], NULL);
    regions := clusters_regions(cl);
  WHEN 'indicator' THEN
    cl := ARRAY[r.cluster_id];
    regions := clusters_regions(cl);
  ELSE
    NULL;
  END CASE;
  INSERT INTO changes (type, object_id, op, origin, cluster_ids, region_codes)
  VALUES (TG_ARGV[0], r.id, op, nullif(current_setting('grappe.origin', true), ''),
          ARRAY(SELECT DISTINCT u FROM unnest(cl) u ORDER BY u),
          ARRAY(SELECT DISTINCT x FROM unnest(regions) x ORDER BY x));
  RETURN NULL;
END $$;

-- Changes already recorded: what their objects concern now.
UPDATE changes c SET cluster_ids = ARRAY[x.id], region_codes = x.region_codes
  FROM clusters x WHERE c.type = 'cluster' AND x.id = c.object_id;
UPDATE changes c SET cluster_ids = ARRAY(SELECT jsonb_array_elements_text(x.current_clusters)::uuid),
                     region_codes = array_remove(ARRAY[x.region_code], NULL)
  FROM companies x WHERE c.type = 'company' AND x.id = c.object_id;
UPDATE changes c SET cluster_ids = ARRAY(SELECT cp.cluster_id FROM cluster_partners cp WHERE cp.partner_id = x.id),
                     region_codes = array_remove(ARRAY[x.region_code], NULL)
  FROM partners x WHERE c.type = 'partner' AND x.id = c.object_id;
UPDATE changes c SET cluster_ids = ARRAY[x.cluster_id],
                     region_codes = clusters_regions(ARRAY[x.cluster_id]) ||
                       ARRAY(SELECT co.region_code FROM companies co WHERE co.id = x.company_id AND co.region_code IS NOT NULL)
  FROM memberships x WHERE c.type = 'membership' AND x.id = c.object_id;
UPDATE changes c SET cluster_ids = ARRAY[x.cluster_id],
                     region_codes = clusters_regions(ARRAY[x.cluster_id]) ||
                       ARRAY(SELECT p.region_code FROM partners p WHERE p.id = x.partner_id AND p.region_code IS NOT NULL)
  FROM cluster_partners x WHERE c.type = 'cluster_partner' AND x.id = c.object_id;
UPDATE changes c SET cluster_ids = x.lead_cluster_id || x.cluster_ids::uuid[],
                     region_codes = clusters_regions(x.lead_cluster_id || x.cluster_ids::uuid[])
  FROM projects x WHERE c.type = 'project' AND x.id = c.object_id;
UPDATE changes c SET cluster_ids = array_remove(ARRAY[x.organizer_cluster_id], NULL),
                     region_codes = clusters_regions(array_remove(ARRAY[x.organizer_cluster_id], NULL))
  FROM events x WHERE c.type = 'event' AND x.id = c.object_id;
UPDATE changes c SET cluster_ids = ARRAY[x.cluster_id], region_codes = clusters_regions(ARRAY[x.cluster_id])
  FROM indicators x WHERE c.type = 'indicator' AND x.id = c.object_id;

-- A narrowed feed read far behind the head finds its rows through these, not by walking the
-- whole feed in seq order.
CREATE INDEX changes_cluster_ids ON changes USING gin (cluster_ids);
CREATE INDEX changes_region_codes ON changes USING gin (region_codes);
