-- Issue 20: API keys managed over HTTP (/v1/keys, src/resources/apikeys.c).
-- last_used_at: when the key was last used, written by each serving process's listener at
-- most once a minute a key (src/db/keylisten.c), so it moves without a write per request.
-- replaced_by: the key a rotation made in its place (the rotated key works until its
-- expires_at, which the rotation brought forward to the end of the grace period).
ALTER TABLE api_keys ADD COLUMN last_used_at timestamptz;
ALTER TABLE api_keys ADD COLUMN replaced_by uuid REFERENCES api_keys (id) ON DELETE SET NULL;
CREATE INDEX api_keys_created_at ON api_keys (created_at, id);

-- A change of last_used_at alone is no change of the key: announcing it would empty the
-- key from every process's cache at each use recorded (see migration 0019).
CREATE OR REPLACE FUNCTION api_keys_notify() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF TG_LEVEL = 'STATEMENT' THEN
    PERFORM pg_notify('grappe_keys', '*');
  ELSIF TG_OP = 'DELETE' OR to_jsonb(OLD) - 'last_used_at' IS DISTINCT FROM to_jsonb(NEW) - 'last_used_at' THEN
    PERFORM pg_notify('grappe_keys', encode(OLD.key_hash, 'hex'));
  END IF;
  RETURN NULL;
END $$;
