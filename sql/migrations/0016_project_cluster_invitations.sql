-- Clusters a project lists without their consent are invitations. A cluster named in
-- cluster_ids by someone who does not manage it (a manager of the lead cluster) waits in
-- cluster_invitations (a subset of cluster_ids) until its manager or an admin accepts it
-- (PUT /v1/projects/{id}/clusters/{cluster_id}); until then the project counts nowhere for
-- that cluster: not in the projects' cluster and region filters, not in the computed
-- projects_started, not in the statistics. Rows from before this migration keep what they
-- list as accepted (the column's default).
ALTER TABLE projects ADD COLUMN cluster_invitations text[] NOT NULL DEFAULT '{}'
  CHECK (cluster_invitations <@ cluster_ids);

-- The clusters that take part besides the lead: those listed and not (or no longer) invited.
CREATE FUNCTION accepted_clusters(listed text[], invited text[]) RETURNS text[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT coalesce(array_agg(c ORDER BY o), '{}') FROM unnest(listed) WITH ORDINALITY AS u(c, o)
        WHERE c <> ALL (invited) $$;
CREATE INDEX projects_accepted_clusters ON projects USING gin (accepted_clusters(cluster_ids, cluster_invitations));
CREATE INDEX projects_cluster_invitations ON projects USING gin (cluster_invitations);

-- The invitations of a project after a write through the API, decided in the writing
-- statement itself, from the row as it is under that statement's lock (NULL when creating):
-- a cluster still listed keeps its state (an invitation is accepted only by
-- PUT …/clusters/{cluster_id}, an accepted cluster stays accepted); a cluster listed anew is
-- an invitation unless the writer manages it (writer: the manager key's clusters; NULL for
-- an admin, whose listing is an acceptance).
CREATE FUNCTION project_invitations(stored projects, listed text[], writer uuid[]) RETURNS text[]
  LANGUAGE sql STABLE
  AS $$ SELECT coalesce(array_agg(c ORDER BY o), '{}') FROM unnest(listed) WITH ORDINALITY AS u(c, o)
        WHERE CASE WHEN c = ANY (coalesce(stored.cluster_ids, '{}')) THEN c = ANY (stored.cluster_invitations)
                   ELSE writer IS NOT NULL AND c::uuid <> ALL (writer) END $$;

CREATE OR REPLACE FUNCTION indicator_computed(cluster uuid, y integer) RETURNS json
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$
  SELECT json_build_object(
    'members', (SELECT count(*) FROM memberships m
                 WHERE m.cluster_id = cluster
                   AND (m.joined_on IS NULL OR m.joined_on <= indicator_day(y))
                   AND (m.left_on IS NULL OR m.left_on > indicator_day(y))),
    'projects_started', (SELECT count(*) FROM projects p
                          WHERE (p.lead_cluster_id = cluster
                                 OR accepted_clusters(p.cluster_ids, p.cluster_invitations) @> ARRAY[cluster::text])
                            AND p.starts_on BETWEEN make_date(y, 1, 1) AND make_date(y, 12, 31)),
    'events_held', (SELECT count(*) FROM events e
                     WHERE e.organizer_cluster_id = cluster AND e.status = 'scheduled'
                       AND e.starts_at >= make_timestamptz(y, 1, 1, 0, 0, 0, 'UTC')
                       AND e.starts_at < make_timestamptz(y + 1, 1, 1, 0, 0, 0, 'UTC')
                       AND e.starts_at <= now()))
  $$;

-- A deleted cluster leaves neither a participation nor an invitation behind.
CREATE OR REPLACE FUNCTION projects_forget_cluster() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  UPDATE projects SET cluster_ids = array_remove(cluster_ids, OLD.id::text),
                      cluster_invitations = array_remove(cluster_invitations, OLD.id::text)
   WHERE cluster_ids @> ARRAY[OLD.id::text];
  RETURN OLD;
END $$;
