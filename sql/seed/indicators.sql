-- grappe seed: indicators for the clusters of this run (in seed_pool): the three last complete
-- years, for about 85 % of them, with figures in the proportions of real clusters.

INSERT INTO indicators (cluster_id, year, members, staff_fte, budget_eur, public_funding_eur, projects_started,
 events_held)
SELECT id, y, members, staff, budget, round((budget * (0.2 + r_pub * 0.6))::numeric, -3), floor(r_proj * (2 + staff))::int,
 floor(r_ev * (4 + 3 * staff))::int FROM (SELECT id, y, r_pub, r_proj, r_ev,
  20 + floor(r_mem * r_mem * 480)::int AS members, round((0.5 + r_staff * r_staff * 30)::numeric, 1) AS staff,
  round((60000 * (0.5 + r_staff * r_staff * 30) * (0.8 + r_bud * 0.6))::numeric, -3) AS budget
  FROM (SELECT p.id, y.y, random() AS r_keep, random() AS r_mem, random() AS r_staff, random() AS r_bud,
   random() AS r_pub, random() AS r_proj, random() AS r_ev
   FROM (SELECT id, idx FROM seed_pool ORDER BY idx) p
   CROSS JOIN generate_series(extract(year FROM current_date)::int - 3, extract(year FROM current_date)::int - 1) AS y (y)
   ORDER BY p.idx, y.y OFFSET 0) r WHERE r_keep < 0.85) v
