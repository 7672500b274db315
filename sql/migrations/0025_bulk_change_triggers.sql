-- The change feed's rows for companies and memberships inserted by one statement (a bulk
-- import's batch of 1,000) are written by one INSERT at the end of the statement, from its
-- transition table, instead of one PL/pgSQL call and one INSERT per row (issue 19: imports
-- of 100,000 lines). Same rows as record_change() writes for an INSERT: op upsert, the
-- writer's origin, the scope (a new company's current clusters, its region; a membership's
-- cluster, the cluster's regions and the company's region). Updates and deletions keep the
-- row trigger, which records what the row was and what it is.

CREATE FUNCTION record_inserts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_ARGV[0] = 'company' THEN
    INSERT INTO changes (type, object_id, op, origin, cluster_ids, region_codes)
    SELECT 'company', n.id, 'upsert', nullif(current_setting('grappe.origin', true), ''),
           ARRAY(SELECT DISTINCT u FROM unnest(ARRAY(SELECT jsonb_array_elements_text(n.current_clusters)::uuid)) u ORDER BY u),
           array_remove(ARRAY[n.region_code], NULL)
      FROM new_rows n;
  ELSIF TG_ARGV[0] = 'membership' THEN
    INSERT INTO changes (type, object_id, op, origin, cluster_ids, region_codes)
    SELECT 'membership', n.id, 'upsert', nullif(current_setting('grappe.origin', true), ''),
           ARRAY[n.cluster_id],
           ARRAY(SELECT DISTINCT x FROM unnest(r.regions || array_remove(ARRAY[co.region_code], NULL)) x
                 ORDER BY x)
      FROM new_rows n
      LEFT JOIN companies co ON co.id = n.company_id
      LEFT JOIN LATERAL (SELECT clusters_regions(ARRAY[n.cluster_id]) AS regions) r ON true;
  END IF;
  RETURN NULL;
END $$;

DROP TRIGGER companies_changes ON companies;
CREATE TRIGGER companies_changes AFTER UPDATE OR DELETE ON companies
  FOR EACH ROW EXECUTE FUNCTION record_change('company');
CREATE TRIGGER companies_changes_insert AFTER INSERT ON companies REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION record_inserts('company');

DROP TRIGGER memberships_changes ON memberships;
CREATE TRIGGER memberships_changes AFTER UPDATE OR DELETE ON memberships
  FOR EACH ROW EXECUTE FUNCTION record_change('membership');
CREATE TRIGGER memberships_changes_insert AFTER INSERT ON memberships REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION record_inserts('membership');

-- A company's deletion sets the company of its registrations to NULL (ON DELETE SET NULL):
-- without an index, each deletion read every registration (a sync that removes thousands
-- of companies took minutes).
CREATE INDEX registrations_company ON registrations (company_id) WHERE company_id IS NOT NULL;
