-- National statistics without scanning every company: counts by region and size kept as
-- append-only deltas written by statement triggers in the writer's own transaction, so a
-- reader sums a few hundred rows and sees exactly what its snapshot sees. GET /v1/stats
-- folds the deltas back into one row per (region, size) now and then (company_stats_compact).

-- How many current memberships a company has: what makes it a member company. Kept by the
-- memberships triggers below; not part of the company's representation, so it neither moves
-- its version nor appears in the change feed.
ALTER TABLE companies ADD COLUMN current_memberships integer NOT NULL DEFAULT 0
  CHECK (current_memberships >= 0);

CREATE FUNCTION grappe_touch_company() RETURNS trigger
  LANGUAGE plpgsql AS $$
DECLARE
  o companies;
BEGIN
  o := OLD;
  o.current_memberships := NEW.current_memberships;
  IF NEW IS DISTINCT FROM o THEN
    NEW.version := OLD.version + 1;
    NEW.updated_at := clock_timestamp();
  END IF;
  RETURN NEW;
END $$;
DROP TRIGGER companies_touch ON companies;
CREATE TRIGGER companies_touch BEFORE UPDATE ON companies FOR EACH ROW EXECUTE FUNCTION grappe_touch_company();

UPDATE companies c SET current_memberships = m.n
FROM (SELECT company_id, count(*) AS n FROM memberships WHERE left_on IS NULL GROUP BY company_id) m
WHERE m.company_id = c.id;

-- Memberships move the counter of their companies, locked in id order (no deadlock between
-- two statements touching the same companies) with FOR NO KEY UPDATE, the lock an UPDATE
-- takes anyway: FOR UPDATE would conflict with the KEY SHARE lock that the foreign key of
-- every concurrent membership insert holds on the company, and deadlock. Transition tables
-- need one trigger per event.
CREATE FUNCTION memberships_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE companies c SET current_memberships = c.current_memberships + d.n
  FROM (SELECT company_id, count(*)::int AS n FROM new_rows WHERE left_on IS NULL GROUP BY company_id) d
  WHERE d.company_id = c.id AND c.id IN (SELECT c2.id FROM companies c2 JOIN new_rows r ON r.company_id = c2.id
                                         ORDER BY c2.id FOR NO KEY UPDATE OF c2);
  RETURN NULL;
END $$;
CREATE FUNCTION memberships_count_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE companies c SET current_memberships = c.current_memberships + d.n
  FROM (SELECT company_id, sum(n)::int AS n FROM (
          SELECT company_id, 1 AS n FROM new_rows WHERE left_on IS NULL
          UNION ALL SELECT company_id, -1 FROM old_rows WHERE left_on IS NULL) x
        GROUP BY company_id HAVING sum(n) <> 0) d
  WHERE d.company_id = c.id AND c.id IN (SELECT c2.id FROM companies c2 JOIN new_rows r ON r.company_id = c2.id
                                         ORDER BY c2.id FOR NO KEY UPDATE OF c2);
  RETURN NULL;
END $$;
CREATE FUNCTION memberships_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE companies c SET current_memberships = c.current_memberships - d.n
  FROM (SELECT company_id, count(*)::int AS n FROM old_rows WHERE left_on IS NULL GROUP BY company_id) d
  WHERE d.company_id = c.id AND c.id IN (SELECT c2.id FROM companies c2 JOIN old_rows r ON r.company_id = c2.id
                                         ORDER BY c2.id FOR NO KEY UPDATE OF c2);
  RETURN NULL;
END $$;
CREATE TRIGGER memberships_count_insert AFTER INSERT ON memberships REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION memberships_count_insert();
CREATE TRIGGER memberships_count_update AFTER UPDATE ON memberships REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION memberships_count_update();
CREATE TRIGGER memberships_count_delete AFTER DELETE ON memberships REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION memberships_count_delete();

-- The deltas: companies, member companies and their jobs by (region, size).
CREATE TABLE company_stats (
  region_code       text,
  size              text,
  companies         bigint NOT NULL,
  member_companies  bigint NOT NULL,
  jobs              bigint NOT NULL
);
INSERT INTO company_stats
SELECT region_code, size, count(*), count(*) FILTER (WHERE current_memberships > 0),
       coalesce(sum(employees) FILTER (WHERE current_memberships > 0), 0)
FROM companies GROUP BY region_code, size;

CREATE FUNCTION company_stats_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO company_stats
  SELECT region_code, size, count(*), count(*) FILTER (WHERE current_memberships > 0),
         coalesce(sum(employees) FILTER (WHERE current_memberships > 0), 0)
  FROM new_rows GROUP BY region_code, size;
  RETURN NULL;
END $$;
CREATE FUNCTION company_stats_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO company_stats
  SELECT region_code, size, sum(companies), sum(member_companies), sum(jobs) FROM (
    SELECT region_code, size, 1 AS companies, (current_memberships > 0)::int AS member_companies,
           CASE WHEN current_memberships > 0 THEN coalesce(employees, 0) ELSE 0 END AS jobs FROM new_rows
    UNION ALL
    SELECT region_code, size, -1, -(current_memberships > 0)::int,
           CASE WHEN current_memberships > 0 THEN -coalesce(employees, 0) ELSE 0 END FROM old_rows) x
  GROUP BY region_code, size
  HAVING sum(companies) <> 0 OR sum(member_companies) <> 0 OR sum(jobs) <> 0;
  RETURN NULL;
END $$;
CREATE FUNCTION company_stats_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO company_stats
  SELECT region_code, size, -count(*), -count(*) FILTER (WHERE current_memberships > 0),
         -coalesce(sum(employees) FILTER (WHERE current_memberships > 0), 0)
  FROM old_rows GROUP BY region_code, size;
  RETURN NULL;
END $$;
CREATE TRIGGER companies_stats_insert AFTER INSERT ON companies REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION company_stats_insert();
CREATE TRIGGER companies_stats_update AFTER UPDATE ON companies REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION company_stats_update();
CREATE TRIGGER companies_stats_delete AFTER DELETE ON companies REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION company_stats_delete();

-- Folds the deltas into one row per (region, size). Safe beside writers and another
-- compaction: DELETE ... RETURNING hands over only the rows this statement removed.
CREATE FUNCTION company_stats_compact() RETURNS void LANGUAGE sql AS $$
  WITH d AS (DELETE FROM company_stats RETURNING *)
  INSERT INTO company_stats
  SELECT region_code, size, sum(companies), sum(member_companies), sum(jobs) FROM d GROUP BY region_code, size
$$;
