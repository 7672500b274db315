-- Search ranks at most a bounded number of full-text matches per type (a three-letter prefix
-- can match most of the registry), so the names that start with the query are looked up on
-- their own, by range on these indexes, and can never be crowded out.
CREATE INDEX clusters_name_prefix ON clusters ((lower(grappe_unaccent(name)) COLLATE "C"));
CREATE INDEX companies_name_prefix ON companies ((lower(grappe_unaccent(name)) COLLATE "C"));
CREATE INDEX partners_name_prefix ON partners ((lower(grappe_unaccent(name)) COLLATE "C"));
CREATE INDEX events_title_prefix ON events ((lower(grappe_unaccent(title)) COLLATE "C"));
CREATE INDEX projects_title_prefix ON projects ((lower(grappe_unaccent(title)) COLLATE "C"));

-- The benchmark computes SME shares in one grouped join now.
DROP FUNCTION indicator_sme_share(uuid, integer);
