-- Companies, territorial partners, memberships of companies in clusters, and the links
-- between clusters and partners.

CREATE EXTENSION IF NOT EXISTS cube;
CREATE EXTENSION IF NOT EXISTS earthdistance;

-- Luhn key of a string of digits (SIREN, SIRET), as the C validators check it.
CREATE FUNCTION luhn_ok(text) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$
    SELECT $1 ~ '^[0-9]+$' AND sum(CASE WHEN (length($1) - i) % 2 = 1
                                        THEN (d * 2) / 10 + (d * 2) % 10 ELSE d END) % 10 = 0
    FROM (SELECT i, substr($1, i, 1)::int AS d FROM generate_series(1, length($1)) AS i) AS digits
  $$;

CREATE FUNCTION siren_ok(text) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT $1 ~ '^[0-9]{9}$' AND luhn_ok($1) $$;

-- La Poste's establishments (SIREN 356000000) follow another rule: the sum of the 14 digits
-- is a multiple of 5.
CREATE FUNCTION siret_ok(text) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$
    SELECT $1 ~ '^[0-9]{14}$' AND (luhn_ok($1) OR (left($1, 9) = '356000000' AND
           (SELECT sum(substr($1, i, 1)::int) FROM generate_series(1, 14) AS i) % 5 = 0))
  $$;

CREATE TABLE companies (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name            text COLLATE "fr-x-icu" NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  legal_name      text COLLATE "fr-x-icu" CHECK (length(legal_name) <= 200),
  siren           text CHECK (siren_ok(siren)),
  siret           text UNIQUE CHECK (siret_ok(siret)),
  naf_code        text CHECK (naf_code ~ '^[0-9]{2}\.[0-9]{2}[A-Z]$'),
  employees       integer CHECK (employees >= 0),
  size            text CHECK (size IN ('tpe', 'pme', 'eti', 'ge')),
  founded_on      date,
  website         text CHECK (length(website) <= 500),
  email           text CHECK (length(email) <= 254),
  phone           text CHECK (length(phone) <= 30),
  address         jsonb CHECK (address IS NULL OR jsonb_typeof(address) = 'object'),
  department_code text REFERENCES departments (code),
  region_code     text REFERENCES regions (code),
  location        jsonb CHECK (location IS NULL OR (jsonb_typeof(location -> 'lat') = 'number' AND jsonb_typeof(location -> 'lon') = 'number')),
  lat             double precision GENERATED ALWAYS AS ((location ->> 'lat')::double precision) STORED,
  lon             double precision GENERATED ALWAYS AS ((location ->> 'lon')::double precision) STORED,
  description     text CHECK (length(description) <= 10000),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  version         integer NOT NULL DEFAULT 1,
  search          tsvector GENERATED ALWAYS AS (
                    setweight(to_tsvector('grappe_fr', coalesce(name, '') || ' ' || coalesce(legal_name, '')), 'A') ||
                    setweight(to_tsvector('grappe_fr', coalesce(description, '')), 'C')) STORED,
  CHECK (siret IS NULL OR siren IS NULL OR left(siret, 9) = siren)
);
CREATE TRIGGER companies_touch BEFORE UPDATE ON companies FOR EACH ROW EXECUTE FUNCTION grappe_touch();
CREATE INDEX companies_name ON companies (name, id);
CREATE INDEX companies_legal_name ON companies (legal_name, id);
CREATE INDEX companies_employees ON companies (employees, id);
CREATE INDEX companies_founded_on ON companies (founded_on, id);
CREATE INDEX companies_created_at ON companies (created_at, id);
CREATE INDEX companies_updated_at ON companies (updated_at, id);
CREATE INDEX companies_siren ON companies (siren);
CREATE INDEX companies_naf_code ON companies (naf_code);
CREATE INDEX companies_size ON companies (size);
CREATE INDEX companies_department_code ON companies (department_code);
CREATE INDEX companies_region_code ON companies (region_code);
CREATE INDEX companies_search ON companies USING gin (search);
CREATE INDEX companies_earth ON companies USING gist (ll_to_earth(lat, lon)) WHERE lat IS NOT NULL;

CREATE TABLE partners (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name         text COLLATE "fr-x-icu" NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  kind         text NOT NULL CHECK (kind IN ('development_agency', 'chamber_of_commerce', 'chamber_of_trades',
                 'local_authority', 'region', 'state_agency', 'university', 'school', 'research_organisation',
                 'technopole', 'fablab', 'incubator', 'bank', 'investor', 'bpifrance', 'other')),
  siren        text CHECK (siren_ok(siren)),
  website      text CHECK (length(website) <= 500),
  email        text CHECK (length(email) <= 254),
  phone        text CHECK (length(phone) <= 30),
  address      jsonb CHECK (address IS NULL OR jsonb_typeof(address) = 'object'),
  region_code  text REFERENCES regions (code),
  location     jsonb CHECK (location IS NULL OR (jsonb_typeof(location -> 'lat') = 'number' AND jsonb_typeof(location -> 'lon') = 'number')),
  lat          double precision GENERATED ALWAYS AS ((location ->> 'lat')::double precision) STORED,
  lon          double precision GENERATED ALWAYS AS ((location ->> 'lon')::double precision) STORED,
  description  text CHECK (length(description) <= 10000),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  version      integer NOT NULL DEFAULT 1,
  search       tsvector GENERATED ALWAYS AS (
                 setweight(to_tsvector('grappe_fr', coalesce(name, '')), 'A') ||
                 setweight(to_tsvector('grappe_fr', coalesce(description, '')), 'C')) STORED
);
CREATE TRIGGER partners_touch BEFORE UPDATE ON partners FOR EACH ROW EXECUTE FUNCTION grappe_touch();
CREATE INDEX partners_name ON partners (name, id);
CREATE INDEX partners_created_at ON partners (created_at, id);
CREATE INDEX partners_updated_at ON partners (updated_at, id);
CREATE INDEX partners_kind ON partners (kind);
CREATE INDEX partners_region_code ON partners (region_code);
CREATE INDEX partners_search ON partners USING gin (search);

-- A membership is current while left_on is null; ending it keeps the row (history), and a
-- company that joins again gets a new one. One current membership per pair.
CREATE TABLE memberships (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  cluster_id  uuid NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
  company_id  uuid NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  role        text NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'founding_member', 'board_member')),
  college     text CHECK (college IN ('pme', 'eti_ge', 'research_training', 'other')),
  joined_on   date DEFAULT current_date,
  left_on     date,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  version     integer NOT NULL DEFAULT 1,
  CHECK (left_on IS NULL OR joined_on IS NULL OR left_on >= joined_on)
);
CREATE TRIGGER memberships_touch BEFORE UPDATE ON memberships FOR EACH ROW EXECUTE FUNCTION grappe_touch();
CREATE UNIQUE INDEX memberships_current ON memberships (cluster_id, company_id) WHERE left_on IS NULL;
CREATE INDEX memberships_cluster ON memberships (cluster_id, company_id, id);
CREATE INDEX memberships_company ON memberships (company_id) WHERE left_on IS NULL;

CREATE TABLE cluster_partners (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  cluster_id  uuid NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
  partner_id  uuid NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
  role        text NOT NULL DEFAULT 'support' CHECK (role IN ('funder', 'academic', 'support', 'other')),
  since       date,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  version     integer NOT NULL DEFAULT 1,
  UNIQUE (cluster_id, partner_id)
);
CREATE TRIGGER cluster_partners_touch BEFORE UPDATE ON cluster_partners FOR EACH ROW EXECUTE FUNCTION grappe_touch();
CREATE INDEX cluster_partners_partner ON cluster_partners (partner_id);
