-- External ids (issue 19): a syncing system's own identifiers on clusters, companies,
-- partners, projects and events, as {"<namespace>": "<id>"}. The object is the row's
-- external_ids column, what the API shows and writes; the table external_ids indexes its
-- pairs, one row per (resource, namespace, value), so that a value names at most one row of
-- a resource (its primary key decides concurrent writers) and a lookup by external id is
-- one index probe before the lookup by id. Triggers keep it equal to the columns.

CREATE TABLE external_ids (
  kind text NOT NULL,   -- 'cluster', 'company', 'partner', 'project', 'event'
  ns text NOT NULL,
  value text NOT NULL,
  id uuid NOT NULL,
  PRIMARY KEY (kind, ns, value) INCLUDE (id) -- a lookup reads the index alone
);
CREATE INDEX external_ids_row ON external_ids (id);

ALTER TABLE clusters ADD COLUMN external_ids jsonb NOT NULL DEFAULT '{}';
ALTER TABLE companies ADD COLUMN external_ids jsonb NOT NULL DEFAULT '{}';
ALTER TABLE partners ADD COLUMN external_ids jsonb NOT NULL DEFAULT '{}';
ALTER TABLE projects ADD COLUMN external_ids jsonb NOT NULL DEFAULT '{}';
ALTER TABLE events ADD COLUMN external_ids jsonb NOT NULL DEFAULT '{}';

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['clusters', 'companies', 'partners', 'projects', 'events'] LOOP
    EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (jsonb_typeof(external_ids) = ''object'')',
                   t, t || '_external_ids_object');
  END LOOP;
END $$;

-- TG_ARGV[0]: the resource's kind. A pair held by another row of the same kind fails on the
-- primary key (23505, constraint external_ids_pkey), which the API answers as a conflict.
-- Rows inserted by one statement (a bulk import's batch) get their pairs in one INSERT;
-- an UPDATE or a DELETE touches the table only when the row has or had external ids.
CREATE FUNCTION external_ids_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO external_ids (kind, ns, value, id)
  SELECT TG_ARGV[0], x.key, x.value, n.id
    FROM new_rows n, jsonb_each_text(n.external_ids) x
   WHERE n.external_ids <> '{}';
  RETURN NULL;
END $$;

CREATE FUNCTION external_ids_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM external_ids e
   WHERE e.id = OLD.id AND e.kind = TG_ARGV[0]
     AND (TG_OP = 'DELETE' OR NOT coalesce(NEW.external_ids -> e.ns = to_jsonb(e.value), false));
  IF TG_OP = 'UPDATE' THEN
    INSERT INTO external_ids (kind, ns, value, id)
    SELECT TG_ARGV[0], x.key, x.value, NEW.id
      FROM jsonb_each_text(NEW.external_ids) x
     WHERE NOT coalesce(OLD.external_ids -> x.key = NEW.external_ids -> x.key, false);
  END IF;
  RETURN NULL;
END $$;

DO $$
DECLARE
  t text;
  k text;
BEGIN
  FOREACH t IN ARRAY ARRAY['clusters', 'companies', 'partners', 'projects', 'events'] LOOP
    k := CASE t WHEN 'companies' THEN 'company' ELSE left(t, -1) END;
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION external_ids_insert(%L)',
                   t || '_external_ids_insert', t, k);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I FOR EACH ROW '
                   'WHEN (OLD.external_ids IS DISTINCT FROM NEW.external_ids) '
                   'EXECUTE FUNCTION external_ids_sync(%L)', t || '_external_ids_update', t, k);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I FOR EACH ROW '
                   'WHEN (OLD.external_ids <> ''{}'') EXECUTE FUNCTION external_ids_sync(%L)',
                   t || '_external_ids_delete', t, k);
  END LOOP;
END $$;

-- The row of a resource named by an external id (NULL when none): lookups and upserts.
CREATE FUNCTION external_id_row(p_kind text, p_ns text, p_value text) RETURNS uuid
  LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT id FROM external_ids WHERE kind = p_kind AND ns = p_ns AND value = p_value
$$;
