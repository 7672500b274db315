-- A cluster's member_count and jobs, and the share of small firms among its members at the
-- end of each year (the benchmark's sme_share), were counted from memberships and companies
-- on every read: 20 ms for a page of 50 clusters, 170 ms for the benchmark at the national
-- scale. They are now kept as append-only deltas, written by triggers in the
-- writer's own transaction, and summed on read (a reader sees exactly what its snapshot sees,
-- as with company_stats). Writers never update a shared row, so bulk imports and membership
-- writes of one cluster still run side by side. The deltas are folded by each server's own
-- session once a second (grappe_fold_deltas, below), not by the writers: folding in the
-- writers' triggers cost the SIRET upsert a quarter of its throughput at 64 connections.
-- A fold takes only the rows it can lock at once (SKIP LOCKED), so it waits for no one.

-- member_count and jobs: a company is a current member of the clusters in its
-- current_clusters (kept by the memberships triggers under the company's row lock), and
-- employees is on the same row. So every change to either is an UPDATE of the company row,
-- and the company triggers below see both sides of it: the cluster totals follow exactly,
-- serialised per company by the row lock, never per cluster.
CREATE TABLE cluster_totals (
  cluster_id  uuid NOT NULL,
  members     bigint NOT NULL,
  jobs        bigint NOT NULL
);
CREATE INDEX cluster_totals_cluster ON cluster_totals (cluster_id) INCLUDE (members, jobs);

INSERT INTO cluster_totals
SELECT k.c::uuid, count(*), coalesce(sum(co.employees), 0)
FROM companies co CROSS JOIN LATERAL jsonb_array_elements_text(co.current_clusters) k(c)
GROUP BY k.c;

-- Folds the deltas of these clusters into one row each once they have more than a few
-- (the deltas of one cluster, or of one cluster and year, become one row):
-- only the rows no other transaction holds (SKIP LOCKED), so two folds, or a fold and a
-- writer, never wait for each other; a fold that skipped rows leaves them to the next one.
CREATE FUNCTION cluster_totals_fold(clusters uuid[]) RETURNS void LANGUAGE sql AS $$
  WITH many AS (
    SELECT k.cluster_id FROM unnest(clusters) k(cluster_id)
    WHERE (SELECT count(*) FROM (SELECT 1 FROM cluster_totals t WHERE t.cluster_id = k.cluster_id LIMIT 17) x) > 16),
  picked AS (SELECT t.ctid AS row_id FROM cluster_totals t WHERE t.cluster_id IN (SELECT cluster_id FROM many)
             FOR UPDATE SKIP LOCKED),
  gone AS (DELETE FROM cluster_totals t USING picked p WHERE t.ctid = p.row_id RETURNING t.*)
  INSERT INTO cluster_totals
  SELECT cluster_id, sum(members), sum(jobs) FROM gone GROUP BY cluster_id
  HAVING sum(members) <> 0 OR sum(jobs) <> 0
$$;

CREATE FUNCTION cluster_totals_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO cluster_totals
  SELECT k.c::uuid, count(*), coalesce(sum(r.employees), 0)
  FROM new_rows r CROSS JOIN LATERAL jsonb_array_elements_text(r.current_clusters) k(c)
  GROUP BY k.c;
  IF random() < 1.0 / 256 THEN PERFORM grappe_fold_deltas(); END IF; -- see grappe_fold_deltas
  RETURN NULL;
END $$;
-- An update is the common write (every upsert): a row trigger whose WHEN clause, evaluated
-- without calling any function, lets through only the rows whose clusters or employees
-- changed while the company is a member somewhere (a statement trigger cost every company
-- UPDATE a PL/pgSQL call and a query, a third of the upsert's time).
CREATE FUNCTION cluster_totals_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.current_clusters = OLD.current_clusters THEN
    -- Only employees changed (an upsert, the hot path): one row per cluster, no grouping.
    INSERT INTO cluster_totals
    SELECT k.c::uuid, 0, coalesce(NEW.employees, 0)::bigint - coalesce(OLD.employees, 0)
    FROM jsonb_array_elements_text(NEW.current_clusters) k(c);
    IF random() < 1.0 / 256 THEN PERFORM grappe_fold_deltas(); END IF; -- see grappe_fold_deltas
    RETURN NULL;
  END IF;
  INSERT INTO cluster_totals
  SELECT c, sum(n), sum(j) FROM (
    SELECT k.c::uuid AS c, 1 AS n, coalesce(NEW.employees, 0)::bigint AS j
    FROM jsonb_array_elements_text(NEW.current_clusters) k(c)
    UNION ALL
    SELECT k.c::uuid, -1, -coalesce(OLD.employees, 0)::bigint
    FROM jsonb_array_elements_text(OLD.current_clusters) k(c)) x
  GROUP BY c HAVING sum(n) <> 0 OR sum(j) <> 0;
  IF random() < 1.0 / 256 THEN PERFORM grappe_fold_deltas(); END IF; -- see grappe_fold_deltas
  RETURN NULL;
END $$;
CREATE FUNCTION cluster_totals_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO cluster_totals
  SELECT k.c::uuid, -count(*), -coalesce(sum(r.employees), 0)
  FROM old_rows r CROSS JOIN LATERAL jsonb_array_elements_text(r.current_clusters) k(c)
  GROUP BY k.c;
  IF random() < 1.0 / 256 THEN PERFORM grappe_fold_deltas(); END IF; -- see grappe_fold_deltas
  RETURN NULL;
END $$;
CREATE TRIGGER companies_totals_insert AFTER INSERT ON companies REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION cluster_totals_insert();
CREATE TRIGGER companies_totals_update AFTER UPDATE ON companies FOR EACH ROW
  WHEN ((OLD.current_clusters IS DISTINCT FROM NEW.current_clusters OR OLD.employees IS DISTINCT FROM NEW.employees)
        AND (OLD.current_clusters <> '[]' OR NEW.current_clusters <> '[]'))
  EXECUTE FUNCTION cluster_totals_update();
CREATE TRIGGER companies_totals_delete AFTER DELETE ON companies REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION cluster_totals_delete();

-- The benchmark's sme_share of a past year Y counts the memberships with joined_on on or
-- before 31 December Y (or none) and left_on after it (or none), by their company's size.
-- Each membership is kept as a difference: +1 in the year it starts counting (the year of
-- joined_on, or 0 without one) and -1 in the year it stops (the year of left_on), so the
-- figures of year Y are the sums over the rows up to Y. sme counts members of size tpe or
-- pme, sized members of known size. (The current year, whose day is today, is counted live.)
CREATE TABLE cluster_sme_years (
  cluster_id  uuid NOT NULL,
  year        integer NOT NULL,
  sme         bigint NOT NULL,
  sized       bigint NOT NULL
);
CREATE INDEX cluster_sme_years_cluster ON cluster_sme_years (cluster_id, year) INCLUDE (sme, sized);

-- The difference rows of a membership with its company's size, times sign.
CREATE FUNCTION membership_sme_rows(cluster uuid, joined_on date, left_on date, size text, sign integer)
  RETURNS TABLE (cluster_id uuid, year integer, sme bigint, sized bigint)
  LANGUAGE sql IMMUTABLE AS $$
  SELECT cluster, coalesce(extract(year FROM joined_on)::integer, 0),
         sign * (size IN ('tpe', 'pme'))::integer, sign * (size IS NOT NULL)::integer
  UNION ALL
  SELECT cluster, extract(year FROM left_on)::integer,
         -sign * (size IN ('tpe', 'pme'))::integer, -sign * (size IS NOT NULL)::integer
  WHERE left_on IS NOT NULL
$$;

CREATE FUNCTION cluster_sme_fold(clusters uuid[]) RETURNS void LANGUAGE sql AS $$
  WITH many AS (
    SELECT k.cluster_id FROM unnest(clusters) k(cluster_id)
    WHERE (SELECT count(*) FROM (SELECT 1 FROM cluster_sme_years t WHERE t.cluster_id = k.cluster_id LIMIT 65) x) > 64),
  picked AS (SELECT t.ctid AS row_id FROM cluster_sme_years t WHERE t.cluster_id IN (SELECT cluster_id FROM many)
             FOR UPDATE SKIP LOCKED),
  gone AS (DELETE FROM cluster_sme_years t USING picked p WHERE t.ctid = p.row_id RETURNING t.*)
  INSERT INTO cluster_sme_years
  SELECT cluster_id, year, sum(sme), sum(sized) FROM gone GROUP BY cluster_id, year
  HAVING sum(sme) <> 0 OR sum(sized) <> 0
$$;

INSERT INTO cluster_sme_years
SELECT d.cluster_id, d.year, sum(d.sme), sum(d.sized)
FROM memberships m JOIN companies co ON co.id = m.company_id
CROSS JOIN LATERAL membership_sme_rows(m.cluster_id, m.joined_on, m.left_on, co.size, 1) d
GROUP BY d.cluster_id, d.year HAVING sum(d.sme) <> 0 OR sum(d.sized) <> 0;

-- Folds every cluster's deltas that have piled up: what each server's own session runs once
-- a second (src/db/keylisten.c). Two servers folding at once share the rows (SKIP LOCKED).
-- The writers' triggers call it too, one write in 256, so that the deltas stay bounded while
-- no server runs (a batch of SQL or of grappe commands alone).
CREATE FUNCTION grappe_fold_deltas() RETURNS void LANGUAGE sql AS $$
  SELECT cluster_totals_fold(ARRAY(SELECT cluster_id FROM cluster_totals GROUP BY cluster_id HAVING count(*) > 16));
  SELECT cluster_sme_fold(ARRAY(SELECT cluster_id FROM cluster_sme_years GROUP BY cluster_id HAVING count(*) > 64));
$$;
-- The folds leave dead rows behind: vacuum these small tables often (company_stats of
-- migration 0010 too: a burst of 200,000 upserts left it 31 MB for 68 rows, and /v1/stats
-- read all of it).
ALTER TABLE cluster_totals SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 2000,
                                autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 2000);
ALTER TABLE cluster_sme_years SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 2000,
                                   autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 2000);
ALTER TABLE company_stats SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 2000,
                               autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 2000);

-- Memberships: the size is read from the company after locking its row FOR NO KEY UPDATE
-- (as the memberships count triggers do, in id order): a concurrent change of the company's
-- size then either committed before (and this statement, with a new snapshot, reads it) or
-- waits for this transaction (and its own trigger then sees this membership). A membership
-- whose company is gone in this transaction (a company delete cascading) is skipped: the
-- company's delete trigger below took its rows out.
CREATE FUNCTION memberships_sme_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM companies c WHERE c.id IN (SELECT company_id FROM new_rows) ORDER BY c.id FOR NO KEY UPDATE;
  INSERT INTO cluster_sme_years
  SELECT x.cluster_id, x.year, sum(x.sme), sum(x.sized)
  FROM new_rows r JOIN companies co ON co.id = r.company_id
  CROSS JOIN LATERAL membership_sme_rows(r.cluster_id, r.joined_on, r.left_on, co.size, 1) x
  GROUP BY x.cluster_id, x.year HAVING sum(x.sme) <> 0 OR sum(x.sized) <> 0;
  IF random() < 1.0 / 256 THEN PERFORM grappe_fold_deltas(); END IF; -- see grappe_fold_deltas
  RETURN NULL;
END $$;
CREATE FUNCTION memberships_sme_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM companies c
  WHERE c.id IN (SELECT company_id FROM new_rows UNION SELECT company_id FROM old_rows) ORDER BY c.id FOR NO KEY UPDATE;
  INSERT INTO cluster_sme_years
  SELECT x.cluster_id, x.year, sum(x.sme), sum(x.sized) FROM (
    SELECT s.* FROM new_rows r JOIN companies co ON co.id = r.company_id
    CROSS JOIN LATERAL membership_sme_rows(r.cluster_id, r.joined_on, r.left_on, co.size, 1) s
    UNION ALL
    SELECT s.* FROM old_rows r JOIN companies co ON co.id = r.company_id
    CROSS JOIN LATERAL membership_sme_rows(r.cluster_id, r.joined_on, r.left_on, co.size, -1) s) x
  GROUP BY x.cluster_id, x.year HAVING sum(x.sme) <> 0 OR sum(x.sized) <> 0;
  IF random() < 1.0 / 256 THEN PERFORM grappe_fold_deltas(); END IF; -- see grappe_fold_deltas
  RETURN NULL;
END $$;
CREATE FUNCTION memberships_sme_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM companies c WHERE c.id IN (SELECT company_id FROM old_rows) ORDER BY c.id FOR NO KEY UPDATE;
  INSERT INTO cluster_sme_years
  SELECT x.cluster_id, x.year, sum(x.sme), sum(x.sized)
  FROM old_rows r JOIN companies co ON co.id = r.company_id
  CROSS JOIN LATERAL membership_sme_rows(r.cluster_id, r.joined_on, r.left_on, co.size, -1) x
  GROUP BY x.cluster_id, x.year HAVING sum(x.sme) <> 0 OR sum(x.sized) <> 0;
  IF random() < 1.0 / 256 THEN PERFORM grappe_fold_deltas(); END IF; -- see grappe_fold_deltas
  RETURN NULL;
END $$;
CREATE TRIGGER memberships_sme_insert AFTER INSERT ON memberships REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION memberships_sme_insert();
CREATE TRIGGER memberships_sme_update AFTER UPDATE ON memberships REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION memberships_sme_update();
CREATE TRIGGER memberships_sme_delete AFTER DELETE ON memberships REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION memberships_sme_delete();

-- Companies: a change of size moves every membership of the company (its history too) from
-- the old size to the new, read after the UPDATE that holds the company's row lock (a row
-- trigger, only for the rows whose size changed between small (tpe, pme), larger and unknown); a
-- deleted company takes its memberships out before its row goes (the cascade that follows
-- deletes them without a company to read).
CREATE FUNCTION companies_sme_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO cluster_sme_years
  SELECT x.cluster_id, x.year, sum(x.sme), sum(x.sized) FROM (
    SELECT s.* FROM memberships m
    CROSS JOIN LATERAL membership_sme_rows(m.cluster_id, m.joined_on, m.left_on, NEW.size, 1) s
    WHERE m.company_id = NEW.id
    UNION ALL
    SELECT s.* FROM memberships m
    CROSS JOIN LATERAL membership_sme_rows(m.cluster_id, m.joined_on, m.left_on, OLD.size, -1) s
    WHERE m.company_id = NEW.id) x
  GROUP BY x.cluster_id, x.year HAVING sum(x.sme) <> 0 OR sum(x.sized) <> 0;
  IF random() < 1.0 / 256 THEN PERFORM grappe_fold_deltas(); END IF; -- see grappe_fold_deltas
  RETURN NULL;
END $$;
CREATE FUNCTION companies_sme_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO cluster_sme_years
  SELECT x.cluster_id, x.year, sum(x.sme), sum(x.sized)
  FROM memberships m CROSS JOIN LATERAL membership_sme_rows(m.cluster_id, m.joined_on, m.left_on, OLD.size, -1) x
  WHERE m.company_id = OLD.id
  GROUP BY x.cluster_id, x.year HAVING sum(x.sme) <> 0 OR sum(x.sized) <> 0;
  RETURN OLD;
END $$;
CREATE TRIGGER companies_sme_update AFTER UPDATE ON companies FOR EACH ROW
  WHEN ((OLD.size IN ('tpe', 'pme')) IS DISTINCT FROM (NEW.size IN ('tpe', 'pme'))
        OR (OLD.size IS NULL) <> (NEW.size IS NULL))
  EXECUTE FUNCTION companies_sme_update();
CREATE TRIGGER companies_sme_delete BEFORE DELETE ON companies FOR EACH ROW EXECUTE FUNCTION companies_sme_delete();

-- The index the per-company lookups above use for all memberships (memberships_company
-- covers only current ones).
CREATE INDEX memberships_company_all ON memberships (company_id);
