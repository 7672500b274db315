-- Yearly indicators that a cluster declares, for benchmarking between clusters. One row per
-- cluster and year; the values are the cluster's own declaration (null: not declared).
CREATE TABLE indicators (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  cluster_id          uuid NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
  year                integer NOT NULL CHECK (year BETWEEN 1990 AND 2200),
  members             integer CHECK (members BETWEEN 0 AND 1000000),
  staff_fte           numeric(5, 2) CHECK (staff_fte BETWEEN 0 AND 500),
  budget_eur          numeric(15, 2) CHECK (budget_eur BETWEEN 0 AND 1e12),
  public_funding_eur  numeric(15, 2) CHECK (public_funding_eur BETWEEN 0 AND 1e12),
  projects_started    integer CHECK (projects_started BETWEEN 0 AND 100000),
  events_held         integer CHECK (events_held BETWEEN 0 AND 100000),
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  version             integer NOT NULL DEFAULT 1,
  UNIQUE (cluster_id, year),
  CHECK (public_funding_eur IS NULL OR budget_eur IS NULL OR public_funding_eur <= budget_eur)
);
CREATE TRIGGER indicators_touch BEFORE UPDATE ON indicators FOR EACH ROW EXECUTE FUNCTION grappe_touch_row();
CREATE TRIGGER indicators_changes AFTER INSERT OR UPDATE OR DELETE ON indicators
  FOR EACH ROW EXECUTE FUNCTION record_change('indicator');
-- The benchmark reads one year across clusters.
CREATE INDEX indicators_year ON indicators (year, cluster_id);

-- The day at which a year's figures are taken: 31 December, or today for the current year.
CREATE FUNCTION indicator_day(y integer) RETURNS date
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT least(make_date(y, 12, 31), current_date) $$;

-- What Grappe knows itself of a cluster's year: members on that day, projects started in the
-- year (led or joined), events it organised that took place (not cancelled, already begun).
CREATE FUNCTION indicator_computed(cluster uuid, y integer) RETURNS json
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$
  SELECT json_build_object(
    'members', (SELECT count(*) FROM memberships m
                 WHERE m.cluster_id = cluster
                   AND (m.joined_on IS NULL OR m.joined_on <= indicator_day(y))
                   AND (m.left_on IS NULL OR m.left_on > indicator_day(y))),
    'projects_started', (SELECT count(*) FROM projects p
                          WHERE (p.lead_cluster_id = cluster OR p.cluster_ids @> ARRAY[cluster::text])
                            AND p.starts_on BETWEEN make_date(y, 1, 1) AND make_date(y, 12, 31)),
    'events_held', (SELECT count(*) FROM events e
                     WHERE e.organizer_cluster_id = cluster AND e.status = 'scheduled'
                       AND e.starts_at >= make_timestamptz(y, 1, 1, 0, 0, 0, 'UTC')
                       AND e.starts_at < make_timestamptz(y + 1, 1, 1, 0, 0, 0, 'UTC')
                       AND e.starts_at <= now()))
  $$;

-- The share of small firms (tpe, pme) among a cluster's members of known size on a year's day.
CREATE FUNCTION indicator_sme_share(cluster uuid, y integer) RETURNS double precision
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$
  SELECT (count(*) FILTER (WHERE co.size IN ('tpe', 'pme')))::double precision / nullif(count(co.size), 0)
  FROM memberships m JOIN companies co ON co.id = m.company_id
  WHERE m.cluster_id = cluster
    AND (m.joined_on IS NULL OR m.joined_on <= indicator_day(y))
    AND (m.left_on IS NULL OR m.left_on > indicator_day(y))
  $$;
