-- Issue 17: each serving process keeps the keys it has looked up in memory (src/util/keycache.c)
-- instead of reading api_keys on every request. A key may now expire (expires_at; NULL: never),
-- and every change to a key is announced on channel grappe_keys with the hex of its OLD hash,
-- at the commit of the change: each process's listener (src/db/keylisten.c) drops that key
-- from its cache, so that a revocation, an expiry moved earlier, a rotation or a changed
-- scope reaches every process within milliseconds ('*': drop every key). A process that cannot
-- listen keeps a key 0.5 s at most (docs/security.md, API2).
ALTER TABLE api_keys ADD COLUMN expires_at timestamptz;

CREATE FUNCTION api_keys_notify() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF TG_LEVEL = 'STATEMENT' THEN
    PERFORM pg_notify('grappe_keys', '*');
  -- An update that changes nothing (revoking a revoked key) announces nothing. A column that
  -- moves with each use (a last_used_at, say) must be left out of this comparison, or each
  -- use would empty the key from every cache.
  ELSIF TG_OP = 'DELETE' OR OLD IS DISTINCT FROM NEW THEN
    PERFORM pg_notify('grappe_keys', encode(OLD.key_hash, 'hex'));
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER api_keys_notify AFTER UPDATE OR DELETE ON api_keys
  FOR EACH ROW EXECUTE FUNCTION api_keys_notify();
CREATE TRIGGER api_keys_notify_truncate AFTER TRUNCATE ON api_keys
  FOR EACH STATEMENT EXECUTE FUNCTION api_keys_notify();
