-- Long polling of the change feed (issue 18): a statement that records changes tells the
-- servers, at its commit, that the feed has grown. Each `grappe serve` LISTENs on
-- grappe_changes (the session of src/db/keylisten.c) and wakes the callers waiting with
-- `wait=`, which read the feed again. PostgreSQL sends one notification per transaction
-- (identical ones are folded) and only if it commits; a change numbered later is seen by
-- the reader that numbers it.
CREATE FUNCTION changes_notify() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('grappe_changes', '');
  RETURN NULL;
END $$;

CREATE TRIGGER changes_notify AFTER INSERT ON changes
  FOR EACH STATEMENT EXECUTE FUNCTION changes_notify();
