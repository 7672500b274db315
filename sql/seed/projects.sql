-- grappe seed: $1 cooperation projects led by clusters already there, with members of the lead
-- cluster as participants, one or two funding lines, and dates around today.

WITH cl AS (SELECT array_agg(id ORDER BY name COLLATE "C", id) AS ids FROM clusters),
 cats AS (SELECT ARRAY['pooling','innovation','human_resources','international','communication','other'] AS c,
  ARRAY['Achats groupés','Programme R&D mutualisé','Plan de formation partagé','Mission export',
  'Marque collective','Club'] AS label)
INSERT INTO projects (title, summary, category, status, lead_cluster_id, cluster_ids, companies, funding, budget_eur,
 starts_on, ends_on)
SELECT x.label || ' ' || s.lname || ' ' || x.g, x.label || ' de la filière ' || s.lname || ' : ' || s.phrase || '.',
 x.cat, x.status, x.lead, x.others,
 coalesce((SELECT jsonb_agg(jsonb_build_object('company_id', m.company_id, 'role', CASE WHEN m.n = 1 THEN 'lead'
  ELSE 'partner' END)) FROM (SELECT company_id, row_number() OVER (ORDER BY company_id) AS n FROM memberships
  WHERE cluster_id = x.lead AND left_on IS NULL ORDER BY company_id LIMIT x.ncomp) m), '[]'),
 jsonb_build_array(jsonb_build_object('source', (ARRAY['eu','state','region','bpifrance','members'])[1 + floor(x.r_src * 5)::int],
  'program', NULL, 'amount_eur', round(x.budget * 0.4), 'status', 'granted')),
 x.budget, x.starts, x.starts + 180 + floor(x.r_len * 900)::int
FROM (SELECT r.g, c.c[1 + floor(r.r_cat * 6)::int] AS cat, c.label[1 + floor(r.r_cat * 6)::int] AS label,
  CASE WHEN r.r_st < 0.15 THEN 'idea' WHEN r.r_st < 0.3 THEN 'proof_of_concept' WHEN r.r_st < 0.7 THEN 'running'
  WHEN r.r_st < 0.92 THEN 'completed' ELSE 'abandoned' END AS status,
  cl.ids[1 + floor(r.r_lead * array_length(cl.ids, 1))::int]::uuid AS lead,
  CASE WHEN r.r_inter < 0.2 THEN ARRAY[cl.ids[1 + floor(r.r_o * array_length(cl.ids, 1))::int]::text] ELSE '{}' END AS others,
  1 + floor(r.r_comp * 5)::int AS ncomp, round((20000 + r.r_bud * r.r_bud * 2000000)::numeric, -3) AS budget,
  (current_date - 1500 + floor(r.r_start * 1800)::int) AS starts, r.r_len, r.r_src, r.r_sec
  FROM (SELECT g, random() AS r_cat, random() AS r_st, random() AS r_lead, random() AS r_inter, random() AS r_o,
   random() AS r_comp, random() AS r_bud, random() AS r_start, random() AS r_len, random() AS r_src, random() AS r_sec
   FROM generate_series(1, $1::int) AS g OFFSET 0) r, cl, cats c) x
 JOIN seed_sector s ON s.idx = 1 + floor(x.r_sec * (SELECT count(*) FROM seed_sector))::int
WHERE x.lead IS NOT NULL AND NOT (x.lead::text = ANY(x.others))
