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
-- Recorded at write time, so that a delete keeps what it concerned; an update concerns what
-- the row was and what it is. Changes recorded before
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
-- first runs, for the table whose trigger runs it). An UPDATE concerns what the row was and
-- what it is: a project that leaves a cluster, a company that moves to another region, is
-- news to the followers of the old ones too.
CREATE OR REPLACE FUNCTION record_change() RETURNS trigger
  LANGUAGE plpgsql AS $$
DECLARE
  r record;
  op text;
  cl uuid[] := '{}';
  regions text[] := '{}';
BEGIN
  IF TG_OP = 'DELETE' THEN
    op := 'delete';
  ELSIF TG_OP = 'INSERT' OR NEW.version IS DISTINCT FROM OLD.version THEN
    -- an UPDATE that changed nothing keeps its version and is not a change
    op := 'upsert';
  ELSE
    RETURN NULL;
  END IF;
  FOR pass IN 1 .. CASE WHEN TG_OP = 'UPDATE' THEN 2 ELSE 1 END LOOP
    IF TG_OP = 'DELETE' OR pass = 2 THEN
      r := OLD;
    ELSE
      r := NEW;
    END IF;
    CASE TG_ARGV[0]
    WHEN 'cluster' THEN
      cl := cl || r.id;
      regions := regions || r.region_codes;
    WHEN 'company' THEN
      cl := cl || ARRAY(SELECT jsonb_array_elements_text(r.current_clusters)::uuid);
      regions := regions || array_remove(ARRAY[r.region_code], NULL);
    WHEN 'partner' THEN
      -- its links, still there: a partner's DELETE is recorded BEFORE it (the cascade that
      -- removes the links runs before the AFTER triggers of the partner)
      cl := cl || ARRAY(SELECT cp.cluster_id FROM cluster_partners cp WHERE cp.partner_id = r.id);
      regions := regions || array_remove(ARRAY[r.region_code], NULL);
    WHEN 'membership' THEN
      cl := cl || r.cluster_id;
      regions := regions || clusters_regions(ARRAY[r.cluster_id]) ||
                 ARRAY(SELECT co.region_code FROM companies co WHERE co.id = r.company_id AND co.region_code IS NOT NULL);
    WHEN 'cluster_partner' THEN
      cl := cl || r.cluster_id;
      regions := regions || clusters_regions(ARRAY[r.cluster_id]) ||
                 ARRAY(SELECT p.region_code FROM partners p WHERE p.id = r.partner_id AND p.region_code IS NOT NULL);
    WHEN 'project' THEN
      -- the lead, the participants and the clusters invited (whose managers decide)
      cl := cl || r.lead_cluster_id || r.cluster_ids::uuid[];
      regions := regions || clusters_regions(r.lead_cluster_id || r.cluster_ids::uuid[]);
    WHEN 'event' THEN
      cl := cl || array_remove(ARRAY[r.organizer_cluster_id], NULL);
      regions := regions || clusters_regions(array_remove(ARRAY[r.organizer_cluster_id], NULL));
    WHEN 'indicator' THEN
      cl := cl || r.cluster_id;
      regions := regions || clusters_regions(ARRAY[r.cluster_id]);
    ELSE
      NULL;
    END CASE;
  END LOOP;
  INSERT INTO changes (type, object_id, op, origin, cluster_ids, region_codes)
  VALUES (TG_ARGV[0], r.id, op, nullif(current_setting('grappe.origin', true), ''),
          ARRAY(SELECT DISTINCT u FROM unnest(cl) u ORDER BY u),
          ARRAY(SELECT DISTINCT x FROM unnest(regions) x ORDER BY x));
  IF TG_WHEN = 'BEFORE' THEN
    RETURN OLD;
  END IF;
  RETURN NULL;
END $$;

DROP TRIGGER partners_changes ON partners;
CREATE TRIGGER partners_changes AFTER INSERT OR UPDATE ON partners
  FOR EACH ROW EXECUTE FUNCTION record_change('partner');
CREATE TRIGGER partners_changes_delete BEFORE DELETE ON partners
  FOR EACH ROW EXECUTE FUNCTION record_change('partner');

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
