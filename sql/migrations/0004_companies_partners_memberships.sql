-- Companies, territorial partners, memberships of companies in clusters, and the links
-- between clusters and partners.

CREATE EXTENSION IF NOT EXISTS cube;
CREATE EXTENSION IF NOT EXISTS earthdistance;

-- Luhn key of a string of up to 14 digits (SIREN, SIRET), as the C validators check it.
-- A CHECK calls these on every write, so they are plain SQL expressions that PostgreSQL
-- inlines (a loop over generate_series or in PL/pgSQL cost 50-80 us a row). Leading zeros
-- do not change a Luhn sum, so every string is padded to 14 digits; from the right, every
-- second digit is doubled (translate maps d to the digit sum of 2d).
CREATE FUNCTION luhn_sum14(s text) RETURNS int
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT ascii(translate(substr(s, 1, 1), '0123456789', '0246813579')) + ascii(substr(s, 2, 1)) + ascii(translate(substr(s, 3, 1), '0123456789', '0246813579')) + ascii(substr(s, 4, 1)) + ascii(translate(substr(s, 5, 1), '0123456789', '0246813579')) + ascii(substr(s, 6, 1)) + ascii(translate(substr(s, 7, 1), '0123456789', '0246813579')) + ascii(substr(s, 8, 1)) + ascii(translate(substr(s, 9, 1), '0123456789', '0246813579')) + ascii(substr(s, 10, 1)) + ascii(translate(substr(s, 11, 1), '0123456789', '0246813579')) + ascii(substr(s, 12, 1)) + ascii(translate(substr(s, 13, 1), '0123456789', '0246813579')) + ascii(substr(s, 14, 1)) - 672 $$;

CREATE FUNCTION digit_sum14(s text) RETURNS int
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT ascii(substr(s, 1, 1)) + ascii(substr(s, 2, 1)) + ascii(substr(s, 3, 1)) + ascii(substr(s, 4, 1)) + ascii(substr(s, 5, 1)) + ascii(substr(s, 6, 1)) + ascii(substr(s, 7, 1)) + ascii(substr(s, 8, 1)) + ascii(substr(s, 9, 1)) + ascii(substr(s, 10, 1)) + ascii(substr(s, 11, 1)) + ascii(substr(s, 12, 1)) + ascii(substr(s, 13, 1)) + ascii(substr(s, 14, 1)) - 672 $$;

CREATE FUNCTION luhn_ok(text) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT $1 ~ '^[0-9]{1,14}$' AND luhn_sum14(lpad($1, 14, '0')) % 10 = 0 $$;

CREATE FUNCTION siren_ok(text) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT $1 ~ '^[0-9]{9}$' AND luhn_sum14(lpad($1, 14, '0')) % 10 = 0 $$;

-- La Poste's establishments (SIREN 356000000) follow another rule: the sum of the 14 digits
-- is a multiple of 5.
CREATE FUNCTION siret_ok(text) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT $1 ~ '^[0-9]{14}$' AND (luhn_sum14($1) % 10 = 0 OR (left($1, 9) = '356000000' AND digit_sum14($1) % 5 = 0)) $$;

-- Tables from here on have no generated columns: full-text documents and coordinates are
-- expressions with indexes on them. A BEFORE UPDATE trigger then sees a complete NEW row,
-- and the plain row comparison below tells a real change from a no-op cheaply.
CREATE FUNCTION grappe_touch_row() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF NEW IS DISTINCT FROM OLD THEN
    NEW.version := OLD.version + 1;
    NEW.updated_at := clock_timestamp();
  END IF;
  RETURN NEW;
END $$;

CREATE FUNCTION company_document(name text, legal_name text, description text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT setweight(to_tsvector('grappe_fr', coalesce(name, '') || ' ' || coalesce(legal_name, '')), 'A') ||
               setweight(to_tsvector('grappe_fr', coalesce(description, '')), 'C') $$;

CREATE FUNCTION partner_document(name text, description text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT setweight(to_tsvector('grappe_fr', coalesce(name, '')), 'A') ||
               setweight(to_tsvector('grappe_fr', coalesce(description, '')), 'C') $$;

-- The point of a location object, for earthdistance (NULL without a location).
CREATE FUNCTION location_earth(jsonb) RETURNS earth
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT ll_to_earth(($1 ->> 'lat')::float8, ($1 ->> 'lon')::float8) $$;

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
  description     text CHECK (length(description) <= 10000),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  version         integer NOT NULL DEFAULT 1,
  CHECK (siret IS NULL OR siren IS NULL OR left(siret, 9) = siren)
);
CREATE TRIGGER companies_touch BEFORE UPDATE ON companies FOR EACH ROW EXECUTE FUNCTION grappe_touch_row();
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
CREATE INDEX companies_search ON companies USING gin (company_document(name, legal_name, description));
CREATE INDEX companies_earth ON companies USING gist (location_earth(location)) WHERE location IS NOT NULL;

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
  description  text CHECK (length(description) <= 10000),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  version      integer NOT NULL DEFAULT 1
);
CREATE TRIGGER partners_touch BEFORE UPDATE ON partners FOR EACH ROW EXECUTE FUNCTION grappe_touch_row();
CREATE INDEX partners_name ON partners (name, id);
CREATE INDEX partners_created_at ON partners (created_at, id);
CREATE INDEX partners_updated_at ON partners (updated_at, id);
CREATE INDEX partners_kind ON partners (kind);
CREATE INDEX partners_region_code ON partners (region_code);
CREATE INDEX partners_search ON partners USING gin (partner_document(name, description));

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
CREATE TRIGGER memberships_touch BEFORE UPDATE ON memberships FOR EACH ROW EXECUTE FUNCTION grappe_touch_row();
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
CREATE TRIGGER cluster_partners_touch BEFORE UPDATE ON cluster_partners FOR EACH ROW EXECUTE FUNCTION grappe_touch_row();
CREATE INDEX cluster_partners_partner ON cluster_partners (partner_id);
