-- Events and their registrations. Capacity is enforced under a lock of the event's row:
-- every registration, cancellation and capacity change of one event takes it first, so
-- concurrent callers are served one at a time and counts are exact.

CREATE FUNCTION event_document(title text, description text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT setweight(to_tsvector('grappe_fr', coalesce(title, '')), 'A') ||
               setweight(to_tsvector('grappe_fr', coalesce(description, '')), 'C') $$;

CREATE TABLE events (
  id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  title                   text COLLATE "fr-x-icu" NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  description             text CHECK (length(description) <= 10000),
  kind                    text NOT NULL CHECK (kind IN ('training', 'benchmarking', 'networking', 'webinar', 'trade_fair',
                            'export_mission', 'workshop', 'general_assembly', 'conference', 'other')),
  organizer_cluster_id    uuid REFERENCES clusters (id) ON DELETE CASCADE,
  starts_at               timestamptz NOT NULL,
  ends_at                 timestamptz NOT NULL,
  mode                    text NOT NULL DEFAULT 'in_person' CHECK (mode IN ('in_person', 'online', 'hybrid')),
  venue                   jsonb CHECK (venue IS NULL OR jsonb_typeof(venue) = 'object'),
  location                jsonb CHECK (location IS NULL OR (jsonb_typeof(location -> 'lat') = 'number' AND jsonb_typeof(location -> 'lon') = 'number')),
  online_url              text CHECK (length(online_url) <= 500),
  capacity                integer CHECK (capacity >= 1),
  waitlist                boolean NOT NULL DEFAULT true,
  registration_closes_at  timestamptz,
  status                  text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
  public                  boolean NOT NULL DEFAULT true,
  waitlist_seq            integer NOT NULL DEFAULT 0,  -- last waitlist position handed out
  created_at              timestamptz NOT NULL DEFAULT now(),
  updated_at              timestamptz NOT NULL DEFAULT now(),
  version                 integer NOT NULL DEFAULT 1,
  CHECK (ends_at > starts_at)
);
CREATE TRIGGER events_touch BEFORE UPDATE ON events FOR EACH ROW EXECUTE FUNCTION grappe_touch_row();
CREATE INDEX events_starts_at ON events (starts_at, id);
CREATE INDEX events_ends_at ON events (ends_at);
CREATE INDEX events_title ON events (title, id);
CREATE INDEX events_created_at ON events (created_at, id);
CREATE INDEX events_updated_at ON events (updated_at, id);
CREATE INDEX events_organizer ON events (organizer_cluster_id);
CREATE INDEX events_kind ON events (kind);
CREATE INDEX events_status ON events (status);
CREATE INDEX events_search ON events USING gin (event_document(title, description));

CREATE TABLE registrations (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event_id           uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  email              text NOT NULL CHECK (length(email) <= 254),
  company_id         uuid REFERENCES companies (id) ON DELETE SET NULL,
  status             text NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'cancelled')),
  position           integer,  -- order of arrival on the waitlist; never reused within an event
  cancel_token_hash  bytea NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  cancelled_at       timestamptz,
  version            integer NOT NULL DEFAULT 1,
  CHECK (status <> 'waitlisted' OR position IS NOT NULL),
  CHECK (status <> 'confirmed' OR position IS NULL)
);
CREATE TRIGGER registrations_touch BEFORE UPDATE ON registrations FOR EACH ROW EXECUTE FUNCTION grappe_touch_row();
-- One live registration per e-mail and event; a cancelled one does not block a new one.
CREATE UNIQUE INDEX registrations_email ON registrations (event_id, lower(email)) WHERE status <> 'cancelled';
CREATE UNIQUE INDEX registrations_position ON registrations (event_id, position) WHERE position IS NOT NULL;
CREATE INDEX registrations_event ON registrations (event_id, status, position);
CREATE INDEX registrations_created_at ON registrations (event_id, created_at, id);

-- Confirms waitlisted registrations, first come first served, while seats remain.
-- The caller holds the event's row lock.
CREATE FUNCTION promote_waitlist(event uuid) RETURNS integer
  LANGUAGE plpgsql AS $$
DECLARE
  seats integer;
  promoted integer;
BEGIN
  SELECT CASE WHEN e.capacity IS NULL THEN NULL
              ELSE e.capacity - (SELECT count(*) FROM registrations r WHERE r.event_id = e.id AND r.status = 'confirmed') END
    INTO seats FROM events e WHERE e.id = event;
  WITH next AS (
    SELECT id FROM registrations
    WHERE event_id = event AND status = 'waitlisted'
    ORDER BY position
    LIMIT CASE WHEN seats IS NULL THEN NULL ELSE greatest(seats, 0) END
    FOR UPDATE)
  UPDATE registrations r SET status = 'confirmed', position = NULL FROM next WHERE r.id = next.id;
  GET DIAGNOSTICS promoted = ROW_COUNT;
  RETURN promoted;
END $$;

-- Capacity: never below the confirmed registrations (409), and a raise confirms people
-- from the waitlist. The UPDATE holds the event's row lock already.
CREATE FUNCTION events_capacity_guard() RETURNS trigger
  LANGUAGE plpgsql AS $$
DECLARE
  confirmed integer;
BEGIN
  IF NEW.capacity IS NOT NULL THEN
    SELECT count(*) INTO confirmed FROM registrations WHERE event_id = NEW.id AND status = 'confirmed';
    IF NEW.capacity < confirmed THEN
      RAISE EXCEPTION 'capacity % is below the % confirmed registrations', NEW.capacity, confirmed
        USING ERRCODE = 'GR409';
    END IF;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER events_capacity_guard BEFORE UPDATE OF capacity ON events
  FOR EACH ROW WHEN (NEW.capacity IS DISTINCT FROM OLD.capacity) EXECUTE FUNCTION events_capacity_guard();

CREATE FUNCTION events_capacity_promote() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.waitlist OR OLD.waitlist THEN
    PERFORM promote_waitlist(NEW.id);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER events_capacity_promote AFTER UPDATE OF capacity ON events
  FOR EACH ROW WHEN (NEW.capacity IS NULL OR NEW.capacity > coalesce(OLD.capacity, 0)) EXECUTE FUNCTION events_capacity_promote();
