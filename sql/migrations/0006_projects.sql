-- Cooperation projects. The participants (clusters, companies with roles, partners with
-- roles) and the funding lines are arrays on the project: they are always read and written
-- with it. Their references are checked by the API (422 naming the field) and kept true
-- here: deleting a cluster, company or partner removes it from the projects.

CREATE FUNCTION project_document(title text, summary text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT setweight(to_tsvector('grappe_fr', coalesce(title, '')), 'A') ||
               setweight(to_tsvector('grappe_fr', coalesce(summary, '')), 'C') $$;

-- The ids named by one key of a JSON array of objects, as text[] (for GIN and &&).
CREATE FUNCTION jsonb_ids(jsonb, text) RETURNS text[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT coalesce(array_agg(e ->> $2), '{}') FROM jsonb_array_elements($1) AS e $$;

CREATE TABLE projects (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  title            text COLLATE "fr-x-icu" NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  summary          text CHECK (length(summary) <= 10000),
  category         text NOT NULL CHECK (category IN ('pooling', 'innovation', 'human_resources', 'international',
                     'communication', 'other')),
  status           text NOT NULL DEFAULT 'idea' CHECK (status IN ('idea', 'proof_of_concept', 'running', 'completed',
                     'abandoned')),
  lead_cluster_id  uuid NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
  cluster_ids      text[] NOT NULL DEFAULT '{}' CHECK (array_position(cluster_ids, NULL) IS NULL),
  companies        jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(companies) = 'array'),
  partners         jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(partners) = 'array'),
  funding          jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(funding) = 'array'),
  budget_eur       numeric(14, 2) CHECK (budget_eur >= 0),
  starts_on        date,
  ends_on          date,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  version          integer NOT NULL DEFAULT 1,
  CHECK (ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on)
);
CREATE TRIGGER projects_touch BEFORE UPDATE ON projects FOR EACH ROW EXECUTE FUNCTION grappe_touch_row();
CREATE INDEX projects_title ON projects (title, id);
CREATE INDEX projects_starts_on ON projects (starts_on, id);
CREATE INDEX projects_budget ON projects (budget_eur, id);
CREATE INDEX projects_created_at ON projects (created_at, id);
CREATE INDEX projects_updated_at ON projects (updated_at, id);
CREATE INDEX projects_category ON projects (category);
CREATE INDEX projects_status ON projects (status);
CREATE INDEX projects_lead ON projects (lead_cluster_id);
CREATE INDEX projects_cluster_ids ON projects USING gin (cluster_ids);
CREATE INDEX projects_company_ids ON projects USING gin (jsonb_ids(companies, 'company_id'));
CREATE INDEX projects_partner_ids ON projects USING gin (jsonb_ids(partners, 'partner_id'));
CREATE INDEX projects_search ON projects USING gin (project_document(title, summary));

-- The lifecycle: idea -> proof_of_concept -> running -> completed, and any open state ->
-- abandoned. Anything else is refused with the transitions that are allowed (409).
CREATE FUNCTION projects_lifecycle() RETURNS trigger
  LANGUAGE plpgsql AS $$
DECLARE
  allowed text[] := CASE OLD.status
    WHEN 'idea' THEN ARRAY['proof_of_concept', 'abandoned']
    WHEN 'proof_of_concept' THEN ARRAY['running', 'abandoned']
    WHEN 'running' THEN ARRAY['completed', 'abandoned']
    ELSE ARRAY[]::text[] END;
BEGIN
  IF NOT NEW.status = ANY (allowed) THEN
    RAISE EXCEPTION 'a project cannot go from % to %; from % it may go to: %', OLD.status, NEW.status, OLD.status,
      CASE WHEN cardinality(allowed) = 0 THEN 'nothing (it is closed)' ELSE array_to_string(allowed, ', ') END
      USING ERRCODE = 'GR409';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER projects_lifecycle BEFORE UPDATE OF status ON projects
  FOR EACH ROW WHEN (NEW.status IS DISTINCT FROM OLD.status) EXECUTE FUNCTION projects_lifecycle();

-- What a deleted participant leaves behind: nothing.
CREATE FUNCTION projects_forget_cluster() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  UPDATE projects SET cluster_ids = array_remove(cluster_ids, OLD.id::text) WHERE cluster_ids @> ARRAY[OLD.id::text];
  RETURN OLD;
END $$;
CREATE TRIGGER clusters_forget_projects AFTER DELETE ON clusters FOR EACH ROW EXECUTE FUNCTION projects_forget_cluster();

CREATE FUNCTION projects_forget_company() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  UPDATE projects
     SET companies = (SELECT coalesce(jsonb_agg(e), '[]') FROM jsonb_array_elements(companies) e WHERE e ->> 'company_id' <> OLD.id::text)
   WHERE jsonb_ids(companies, 'company_id') @> ARRAY[OLD.id::text];
  RETURN OLD;
END $$;
CREATE TRIGGER companies_forget_projects AFTER DELETE ON companies FOR EACH ROW EXECUTE FUNCTION projects_forget_company();

CREATE FUNCTION projects_forget_partner() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  UPDATE projects
     SET partners = (SELECT coalesce(jsonb_agg(e), '[]') FROM jsonb_array_elements(partners) e WHERE e ->> 'partner_id' <> OLD.id::text)
   WHERE jsonb_ids(partners, 'partner_id') @> ARRAY[OLD.id::text];
  RETURN OLD;
END $$;
CREATE TRIGGER partners_forget_projects AFTER DELETE ON partners FOR EACH ROW EXECUTE FUNCTION projects_forget_partner();
