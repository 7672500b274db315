-- The change feed. Every write of a synced resource adds a row here in the same
-- transaction (a rolled-back write leaves none). A row gets its feed position (seq) only
-- once its transaction, and every transaction that started before it, has finished: the
-- reader numbers them, under a lock, in the order (xid, id). So a follower that has read up
-- to seq N never sees a row appear below N later, whatever the order in which concurrent
-- writers commit; a plain sequence taken at insert time would (A takes 10, B takes 11, B
-- commits first, a reader moves past 10 for ever).

-- The last position handed out (kept apart from the rows, which retention deletes).
CREATE TABLE changes_counter (last_seq bigint NOT NULL);
INSERT INTO changes_counter VALUES (0);

CREATE TABLE changes (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  xid         xid8 NOT NULL DEFAULT pg_current_xact_id(),
  seq         bigint UNIQUE,           -- NULL until numbered by the reader
  type        text NOT NULL CHECK (type IN ('cluster', 'company', 'partner', 'membership', 'cluster_partner',
                'project', 'event', 'indicator')),
  object_id   uuid NOT NULL,
  op          text NOT NULL CHECK (op IN ('upsert', 'delete')),
  changed_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX changes_pending ON changes (xid, id) WHERE seq IS NULL;
CREATE INDEX changes_changed_at ON changes (changed_at);

CREATE FUNCTION record_change() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO changes (type, object_id, op) VALUES (TG_ARGV[0], OLD.id, 'delete');
  ELSIF TG_OP = 'INSERT' OR NEW.version IS DISTINCT FROM OLD.version THEN
    -- an UPDATE that changed nothing keeps its version and is not a change
    INSERT INTO changes (type, object_id, op) VALUES (TG_ARGV[0], NEW.id, 'upsert');
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER clusters_changes AFTER INSERT OR UPDATE OR DELETE ON clusters
  FOR EACH ROW EXECUTE FUNCTION record_change('cluster');
CREATE TRIGGER companies_changes AFTER INSERT OR UPDATE OR DELETE ON companies
  FOR EACH ROW EXECUTE FUNCTION record_change('company');
CREATE TRIGGER partners_changes AFTER INSERT OR UPDATE OR DELETE ON partners
  FOR EACH ROW EXECUTE FUNCTION record_change('partner');
CREATE TRIGGER memberships_changes AFTER INSERT OR UPDATE OR DELETE ON memberships
  FOR EACH ROW EXECUTE FUNCTION record_change('membership');
CREATE TRIGGER cluster_partners_changes AFTER INSERT OR UPDATE OR DELETE ON cluster_partners
  FOR EACH ROW EXECUTE FUNCTION record_change('cluster_partner');
CREATE TRIGGER projects_changes AFTER INSERT OR UPDATE OR DELETE ON projects
  FOR EACH ROW EXECUTE FUNCTION record_change('project');
CREATE TRIGGER events_changes AFTER INSERT OR UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION record_change('event');

-- Numbers the rows of finished transactions, in (xid, id) order, after the last number
-- given. Rows of transactions still running (xid >= the snapshot's xmin) wait for a later
-- call. Serialised by the lock on changes_counter, held to the end of the caller's transaction.
CREATE FUNCTION number_changes() RETURNS bigint
  LANGUAGE plpgsql AS $$
DECLARE
  horizon xid8;
  base bigint;
  numbered bigint;
BEGIN
  SELECT last_seq INTO base FROM changes_counter FOR UPDATE;  -- one numberer at a time
  horizon := pg_snapshot_xmin(pg_current_snapshot());
  WITH pending AS (
    SELECT id, row_number() OVER (ORDER BY xid, id) AS n
    FROM changes WHERE seq IS NULL AND xid < horizon)
  UPDATE changes c SET seq = base + pending.n FROM pending WHERE c.id = pending.id;
  GET DIAGNOSTICS numbered = ROW_COUNT;
  IF numbered > 0 THEN
    UPDATE changes_counter SET last_seq = base + numbered;
  END IF;
  RETURN base + numbered;
END $$;
