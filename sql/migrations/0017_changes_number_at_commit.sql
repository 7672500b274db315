-- A change was numbered only once every transaction that began before it had finished (its
-- xid below the snapshot's xmin). That xmin is the whole PostgreSQL server's: any write
-- transaction still open, an atomic bulk import of this database or another application's
-- job in another database, held back every change committed after it began, and the feed
-- stood still for every follower until it ended.
--
-- It was never needed. Numbers are handed out under the lock of changes_counter, each call
-- after the last number given, and only to rows whose transaction has committed (the others
-- are invisible to it): a row committed later gets a higher number, whatever its xid. So no
-- row ever appears below a position a follower has passed, and the feed is in commit order
-- (rows that one call numbers together stay in (xid, id) order among themselves).
CREATE OR REPLACE FUNCTION number_changes() RETURNS bigint
  LANGUAGE plpgsql AS $$
DECLARE
  base bigint;
  numbered bigint;
BEGIN
  SELECT last_seq INTO base FROM changes_counter FOR UPDATE;  -- one numberer at a time
  -- This statement's snapshot, taken once the lock is held, sees every row committed before
  -- it: rows of transactions still running wait for a later call.
  WITH pending AS (
    SELECT id, row_number() OVER (ORDER BY xid, id) AS n
    FROM changes WHERE seq IS NULL)
  UPDATE changes c SET seq = base + pending.n FROM pending WHERE c.id = pending.id;
  GET DIAGNOSTICS numbered = ROW_COUNT;
  IF numbered > 0 THEN
    UPDATE changes_counter SET last_seq = base + numbered;
  END IF;
  RETURN base + numbered;
END $$;
