-- The whole link tables for syncing (GET /v1/memberships, /v1/cluster-partners and
-- /v1/indicators): a first load walks them with cursors or streams them as NDJSON, and a
-- system that missed the feed's retention reloads what changed with updated_since. A page
-- of the whole table, of a cluster's rows (cluster=, a manager's own) or of what changed
-- since a date must be an index range already in the list's order (the sort, then id as the
-- tie-breaker): a page far into 3.4 million memberships, or into a cluster of 8,500
-- members, then reads its own rows, not every row before it and a sort.
--   the default order (created_at)              memberships_created_at, cluster_partners_created_at
--   updated_since, sort=updated_at              *_updated_at
--   cluster= on memberships (and the nested     memberships_cluster_created_at
--   /v1/clusters/{id}/members, same order)
-- The other filters read indexes that were there, each a few rows to sort: cluster= on
-- partner links and indicators their (cluster_id, partner_id) and (cluster_id, year) keys,
-- company= memberships_company (current) and memberships_company_all (status=all),
-- partner= cluster_partners_partner, year= indicators_year.
CREATE INDEX memberships_created_at ON memberships (created_at, id);
CREATE INDEX memberships_updated_at ON memberships (updated_at, id);
CREATE INDEX memberships_cluster_created_at ON memberships (cluster_id, created_at, id);
CREATE INDEX cluster_partners_created_at ON cluster_partners (created_at, id);
CREATE INDEX cluster_partners_updated_at ON cluster_partners (updated_at, id);
CREATE INDEX indicators_updated_at ON indicators (updated_at, id);
