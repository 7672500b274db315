-- Core schema: helper functions, settings, API keys, reference tables, clusters.
-- Applied by `grappe migrate` inside one transaction.

CREATE EXTENSION IF NOT EXISTS unaccent;

-- unaccent() is STABLE (it reads a dictionary); this wrapper names the dictionary
-- explicitly so that it can be declared IMMUTABLE and used in generated columns.
CREATE FUNCTION grappe_unaccent(text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;

-- French full-text configuration that ignores accents.
CREATE TEXT SEARCH CONFIGURATION grappe_fr (COPY = pg_catalog.french);
ALTER TEXT SEARCH CONFIGURATION grappe_fr
  ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;

-- RFC 3339 UTC timestamps with microseconds and a Z, whatever the session time zone.
CREATE FUNCTION rfc3339(timestamptz) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT to_char($1 AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') $$;

-- JSON array of strings -> text[] (NULL stays NULL).
CREATE FUNCTION jsonb_text_array(jsonb) RETURNS text[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT coalesce(array_agg(x ORDER BY n), '{}') FROM jsonb_array_elements_text($1) WITH ORDINALITY AS a(x, n) $$;

-- array_to_string() is only STABLE (it formats any element type); on text[] it is immutable.
CREATE FUNCTION grappe_join_words(text[]) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT coalesce(array_to_string($1, ' '), '') $$;

-- Every row carries a version and an updated_at that move on every real change.
CREATE FUNCTION grappe_touch() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  -- Generated columns are still NULL in NEW in a BEFORE trigger: leave them out, and the
  -- bookkeeping columns too, so that an update that changes nothing keeps its version.
  IF (to_jsonb(NEW) - 'lat' - 'lon' - 'search' - 'version' - 'updated_at')
     IS DISTINCT FROM (to_jsonb(OLD) - 'lat' - 'lon' - 'search' - 'version' - 'updated_at') THEN
    NEW.version := OLD.version + 1;
    NEW.updated_at := clock_timestamp();
  END IF;
  RETURN NEW;
END $$;

CREATE TABLE settings (
  key   text PRIMARY KEY,
  value text NOT NULL
);

CREATE TABLE api_keys (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  role         text NOT NULL CHECK (role IN ('admin', 'reader', 'manager')),
  cluster_ids  uuid[] NOT NULL DEFAULT '{}',
  key_hash     bytea NOT NULL UNIQUE,          -- SHA-256 of the whole key
  prefix       text NOT NULL,                  -- first characters, to recognise a key in lists
  created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  revoked_at   timestamptz,
  CHECK (role = 'manager' OR cluster_ids = '{}')
);

-- Names sort the French way (accents are secondary: Aéro before Agro), whatever the
-- database's own locale.
CREATE TABLE regions (
  code text PRIMARY KEY CHECK (code ~ '^[0-9]{2}$'),
  name text COLLATE "fr-x-icu" NOT NULL UNIQUE
);

CREATE TABLE departments (
  code        text PRIMARY KEY CHECK (code ~ '^([0-9]{2}|2A|2B|97[12346])$'),
  name        text COLLATE "fr-x-icu" NOT NULL UNIQUE,
  region_code text NOT NULL REFERENCES regions (code)
);
CREATE INDEX departments_region ON departments (region_code);

-- Arrays cannot carry foreign keys: a trigger checks region and department codes.
CREATE FUNCTION check_territory_codes() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM unnest(NEW.region_codes) c WHERE c NOT IN (SELECT code FROM regions)) THEN
    RAISE EXCEPTION 'unknown region code' USING ERRCODE = 'foreign_key_violation';
  END IF;
  IF EXISTS (SELECT 1 FROM unnest(NEW.department_codes) c WHERE c NOT IN (SELECT code FROM departments)) THEN
    RAISE EXCEPTION 'unknown department code' USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NEW;
END $$;

CREATE TABLE clusters (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name             text COLLATE "fr-x-icu" NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  acronym          text COLLATE "fr-x-icu" CHECK (length(acronym) <= 30),
  kind             text NOT NULL CHECK (kind IN ('pole_competitivite', 'grappe_entreprises', 'cluster', 'spl', 'other')),
  description      text CHECK (length(description) <= 10000),
  sectors          text[] NOT NULL DEFAULT '{}' CHECK (array_position(sectors, NULL) IS NULL),
  siren            text CHECK (siren ~ '^[0-9]{9}$'),
  founded_on       date,
  website          text CHECK (length(website) <= 500),
  email            text CHECK (length(email) <= 254),
  phone            text CHECK (length(phone) <= 30),
  address          jsonb CHECK (address IS NULL OR jsonb_typeof(address) = 'object'),
  region_codes     text[] NOT NULL DEFAULT '{}' CHECK (array_position(region_codes, NULL) IS NULL),
  department_codes text[] NOT NULL DEFAULT '{}' CHECK (array_position(department_codes, NULL) IS NULL),
  location         jsonb CHECK (location IS NULL OR (jsonb_typeof(location -> 'lat') = 'number' AND jsonb_typeof(location -> 'lon') = 'number')),
  lat              double precision GENERATED ALWAYS AS ((location ->> 'lat')::double precision) STORED,
  lon              double precision GENERATED ALWAYS AS ((location ->> 'lon')::double precision) STORED,
  staff_fte        numeric(6, 2) CHECK (staff_fte BETWEEN 0 AND 500),
  maturity         text CHECK (maturity IN ('emerging', 'proof_of_concept', 'structured', 'mature')),
  status           text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'dormant', 'dissolved')),
  labels           jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(labels) = 'array'),
  created_at       timestamptz NOT NULL DEFAULT now(),  -- one value for both on insert
  updated_at       timestamptz NOT NULL DEFAULT now(),
  version          integer NOT NULL DEFAULT 1,
  search           tsvector GENERATED ALWAYS AS (
                     setweight(to_tsvector('grappe_fr', coalesce(name, '') || ' ' || coalesce(acronym, '')), 'A') ||
                     setweight(to_tsvector('grappe_fr', grappe_join_words(sectors)), 'B') ||
                     setweight(to_tsvector('grappe_fr', coalesce(description, '')), 'C')) STORED
);

CREATE TRIGGER clusters_touch BEFORE UPDATE ON clusters FOR EACH ROW EXECUTE FUNCTION grappe_touch();
CREATE TRIGGER clusters_territory BEFORE INSERT OR UPDATE OF region_codes, department_codes ON clusters
  FOR EACH ROW EXECUTE FUNCTION check_territory_codes();

-- One index per filter and sort; keyset sorts end with id.
CREATE INDEX clusters_name ON clusters (name, id);
CREATE INDEX clusters_acronym ON clusters (acronym, id);
CREATE INDEX clusters_founded_on ON clusters (founded_on, id);
CREATE INDEX clusters_staff_fte ON clusters (staff_fte, id);
CREATE INDEX clusters_created_at ON clusters (created_at, id);
CREATE INDEX clusters_updated_at ON clusters (updated_at, id);
CREATE INDEX clusters_kind ON clusters (kind);
CREATE INDEX clusters_status ON clusters (status);
CREATE INDEX clusters_maturity ON clusters (maturity);
CREATE INDEX clusters_sectors ON clusters USING gin (sectors);
CREATE INDEX clusters_region_codes ON clusters USING gin (region_codes);
CREATE INDEX clusters_department_codes ON clusters USING gin (department_codes);
CREATE INDEX clusters_labels ON clusters USING gin (labels jsonb_path_ops);
CREATE INDEX clusters_search ON clusters USING gin (search);

-- A deleted cluster leaves no trace in the scope of manager keys.
CREATE FUNCTION clusters_unscope_keys() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  UPDATE api_keys SET cluster_ids = array_remove(cluster_ids, OLD.id) WHERE OLD.id = ANY (cluster_ids);
  RETURN OLD;
END $$;
CREATE TRIGGER clusters_unscope_keys AFTER DELETE ON clusters FOR EACH ROW EXECUTE FUNCTION clusters_unscope_keys();
