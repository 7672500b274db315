-- A running Idempotency-Key belongs to one run of its request (owner, a random UUID chosen
-- by that run) and only for as long as its lease (lease_until) lasts, or as long as that
-- run's transaction holds the row locked. A retry after the lease, when no transaction holds
-- the row, takes the key over and runs the request again: a process that died in the middle
-- (or whose final update failed) no longer blocks its key for 24 hours.
-- Keys left running before this migration get a lease that ends now.
ALTER TABLE idempotency_keys
  ADD COLUMN owner uuid NOT NULL DEFAULT gen_random_uuid(),
  ADD COLUMN lease_until timestamptz NOT NULL DEFAULT clock_timestamp();
ALTER TABLE idempotency_keys
  ALTER COLUMN owner DROP DEFAULT,
  ALTER COLUMN lease_until DROP DEFAULT;
