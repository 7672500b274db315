-- grappe seed: $2 clusters, numbered from $1 in their names. Each is recorded in seed_pool.

WITH ins AS (
INSERT INTO clusters (name, acronym, kind, description, sectors, siren, founded_on, website, email, phone, address,
 region_codes, department_codes, location, staff_fte, maturity, status, labels)
SELECT w.name, w.acronym, w.kind, w.description, w.sectors, w.siren, w.founded_on,
 'https://www.' || w.slug || '.example', 'contact@' || w.slug || '.example', w.phone, w.address,
 t2.regs, t1.deps, w.location, w.staff_fte, w.maturity, w.status, w.labels
FROM (SELECT y.*, pg_temp.slug(y.name) AS slug FROM (
SELECT x.*,
 x.kindword || ' ' || s.label || ' ' || CASE WHEN x.kind = 'pole_competitivite' THEN d.region_name ELSE d.name END
  || ' ' || x.g AS name,
 upper(left(pg_temp.slug(x.kindword), 1) || left(pg_temp.slug(s.label), 4)) || x.g AS acronym,
 x.kindphrase || ' de la filière ' || s.lname || ', dont l''équipe est installée ' || d.a_city || ' ('
  || d.name || '). ' || s.phrase || '. ' || pg_temp.pick('{"Le réseau anime des achats groupés, des formations et des missions à l''export pour ses adhérents.","Le réseau accompagne les projets collaboratifs de R&D entre PME, grands groupes et laboratoires.","Le réseau mutualise une veille technologique et réglementaire et organise des rencontres d''affaires.","Le réseau porte une marque collective et fédère les acteurs du territoire autour de l''innovation.","Le réseau soutient la transition écologique et numérique des entreprises de la filière.","Le réseau favorise l''emploi, l''attractivité des métiers et la formation des jeunes."}', x.r_desc) AS description,
 CASE WHEN x.r_sec3 < 0.6 AND s2.tag <> s.tag THEN ARRAY[s.tag, s2.tag] ELSE ARRAY[s.tag] END AS sectors,
 CASE WHEN x.r_siren_has < 0.6 THEN pg_temp.siren(floor(x.r_siren * 70000000)::bigint) END AS siren,
 d.phone || ' ' || lpad(floor(x.r_ph1 * 100)::int::text, 2, '0') || ' ' || lpad(floor(x.r_ph2 * 100)::int::text, 2, '0') AS phone,
 jsonb_build_object('street', CASE WHEN x.r_za < 0.2 THEN pg_temp.pick('{"ZA des Grands Prés","ZI du Moulin","Parc d''activités de la Plaine","ZA de la Croix Blanche","Technopôle du Lac","ZI des Forges","Parc d''innovation Les Érables"}', x.r_st)
 || ', lot ' || (1 + floor(x.r_num * 60))::int
ELSE (1 + floor(x.r_num * x.r_num * 150))::int || ' ' || pg_temp.pick('{rue,rue,rue,avenue,avenue,chemin,allée,boulevard,impasse,route,place}', x.r_st) || ' ' || pg_temp.pick('{"de l''Industrie","des Artisans","du Moulin","Jean Jaurès","Victor Hugo","de la Gare","des Prés","Pasteur","du Général de Gaulle","des Tilleuls","de la République","Gustave Eiffel","André-Marie Ampère","Marie Curie","des Forges","de l''Église","des Écoles","du Château","des Côteaux","Léon Blum","de la Libération","des Érables","du Lavoir","Émile Zola"}', x.r_sn) END, 'postal_code', d.postal, 'city', d.city, 'commune_code', d.commune) AS address,
 jsonb_build_object('lat', round((d.lat + (2 * x.r_lat - 1) * d.spread / 2)::numeric, 5),
  'lon', round((d.lon + (2 * x.r_lon - 1) * d.spread / 2 / cos(radians(d.lat)))::numeric, 5)) AS location,
 round((CASE WHEN x.kind = 'pole_competitivite' THEN 8 + x.r_fte * 32 ELSE 1 + x.r_fte * x.r_fte * 19 END)::numeric, 2) AS staff_fte,
-- Older clusters are more often mature.
 CASE WHEN (current_date - x.founded_on) / 12000.0 + x.r_mat * 0.6 < 0.25 THEN 'emerging'
  WHEN (current_date - x.founded_on) / 12000.0 + x.r_mat * 0.6 < 0.45 THEN 'proof_of_concept'
  WHEN (current_date - x.founded_on) / 12000.0 + x.r_mat * 0.6 < 0.85 THEN 'structured' ELSE 'mature' END AS maturity,
 CASE WHEN x.r_status < 0.88 THEN 'active' WHEN x.r_status < 0.96 THEN 'dormant' ELSE 'dissolved' END AS status,
 CASE WHEN x.kind = 'pole_competitivite' THEN jsonb_build_array(jsonb_build_object('scheme', 'etat_pole', 'level', NULL,
  'awarded_on', '2023-01-01', 'valid_until', '2026-12-31')) ELSE '[]'::jsonb END
 || CASE WHEN x.r_label < 0.35 THEN jsonb_build_array(jsonb_build_object('scheme', 'esca', 'level',
  pg_temp.pick('{bronze,bronze,silver,gold}', x.r_lvl), 'awarded_on', current_date - floor(x.r_aw * 1000)::int,
  'valid_until', current_date - floor(x.r_aw * 1000)::int + 730)) ELSE '[]'::jsonb END AS labels,
 CASE WHEN x.r_n < 0.45 THEN NULL WHEN x.r_same2 < 0.85 THEN rg.deps[1 + floor(x.r_d2 * cardinality(rg.deps))::int]
  ELSE 1 + floor(x.r_d2 * x.n_deps)::int END AS d2,
 CASE WHEN x.r_n < 0.8 THEN NULL WHEN x.r_same3 < 0.85 THEN rg.deps[1 + floor(x.r_d3 * cardinality(rg.deps))::int]
  ELSE 1 + floor(x.r_d3 * x.n_deps)::int END AS d3
FROM (SELECT k.*, CASE k.kind WHEN 'pole_competitivite' THEN 'Pôle' WHEN 'grappe_entreprises' THEN 'Grappe'
  WHEN 'cluster' THEN 'Cluster' WHEN 'spl' THEN 'SPL' ELSE 'Réseau' END AS kindword,
 CASE k.kind WHEN 'pole_competitivite' THEN 'Pôle de compétitivité' WHEN 'grappe_entreprises' THEN 'Grappe d''entreprises'
  WHEN 'cluster' THEN 'Cluster' WHEN 'spl' THEN 'Système productif local' ELSE 'Réseau d''entreprises' END AS kindphrase,
-- The pôles de compétitivité date from 2005.
 CASE WHEN k.kind = 'pole_competitivite' THEN date '2005-07-12' + floor(k.r_found * (current_date - 400 - date '2005-07-12'))::int
  ELSE date '1990-01-01' + floor(k.r_found * (current_date - 400 - date '1990-01-01'))::int END AS founded_on
 FROM (SELECT r.*, ds.idx AS d1, ss.idx AS s1, CASE WHEN r.r_kind < 0.15 THEN 'pole_competitivite'
  WHEN r.r_kind < 0.40 THEN 'grappe_entreprises' WHEN r.r_kind < 0.80 THEN 'cluster' WHEN r.r_kind < 0.90 THEN 'spl'
  ELSE 'other' END AS kind
  FROM (SELECT g, m.n_deps, floor(random() * m.n_dep_slots)::int AS dslot, floor(random() * m.n_sector_slots)::int AS sslot,
   1 + floor(random() * m.n_sectors)::int AS s2, random() AS r_kind, random() AS r_sec3, random() AS r_n,
   random() AS r_same2, random() AS r_d2, random() AS r_same3, random() AS r_d3, random() AS r_found,
   random() AS r_siren_has, random() AS r_siren, random() AS r_fte, random() AS r_mat, random() AS r_status,
   random() AS r_label, random() AS r_lvl, random() AS r_aw, random() AS r_lat, random() AS r_lon, random() AS r_za,
   random() AS r_num, random() AS r_st, random() AS r_sn, random() AS r_ph1, random() AS r_ph2, random() AS r_desc
   FROM generate_series($1::bigint, $1::bigint + $2::bigint - 1) AS g, seed_meta m OFFSET 0) r
  JOIN seed_dep_slot ds ON ds.slot = r.dslot JOIN seed_sector_slot ss ON ss.slot = r.sslot) k) x
 JOIN seed_dep d ON d.idx = x.d1 JOIN seed_sector s ON s.idx = x.s1 JOIN seed_sector s2 ON s2.idx = x.s2
 JOIN seed_region rg ON rg.region = d.region OFFSET 0) y OFFSET 0) w
 CROSS JOIN LATERAL (SELECT array_agg(dd.code ORDER BY u.o) AS deps FROM (SELECT v.i, min(v.o) AS o
  FROM (VALUES (1, w.d1), (2, w.d2), (3, w.d3)) AS v (o, i) WHERE v.i IS NOT NULL GROUP BY v.i) u
  JOIN seed_dep dd ON dd.idx = u.i) t1
 CROSS JOIN LATERAL (SELECT array_agg(q.region ORDER BY q.o) AS regs FROM (SELECT dd.region, min(v.o) AS o
  FROM (VALUES (1, w.d1), (2, w.d2), (3, w.d3)) AS v (o, i) JOIN seed_dep dd ON dd.idx = v.i GROUP BY dd.region) q) t2
RETURNING id, name, founded_on, region_codes, kind, status)
INSERT INTO seed_pool (id, founded_on, regions, weight, dissolved)
SELECT id, founded_on, region_codes, CASE kind WHEN 'pole_competitivite' THEN 6 WHEN 'spl' THEN 1 WHEN 'other' THEN 1
 ELSE 3 END * (1 + floor(random() * 3))::int, status = 'dissolved' FROM (SELECT * FROM ins ORDER BY name) i
