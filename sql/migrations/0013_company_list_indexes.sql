-- Lists of companies filtered by region or department come sorted by name (the default
-- sort): an index that starts with the filtered column and goes on with the sort columns
-- serves the page as one ordered range (0.3 ms instead of 8 ms at 3,000,000 companies,
-- where the name index had to skip the other regions' rows). They replace the single-column
-- indexes, of which they are extensions.
CREATE INDEX companies_region_name ON companies (region_code, name, id);
CREATE INDEX companies_department_name ON companies (department_code, name, id);
DROP INDEX companies_region_code;
DROP INDEX companies_department_code;
