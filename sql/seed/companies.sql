-- grappe seed: companies at positions $1 .. $1 + $2 - 1 (position p has SIREN siren(p)), each a
-- current member of a cluster of its region most of the time, some of a second one. Answers the
-- companies and memberships made: a SIRET already there is skipped.

WITH c AS (
INSERT INTO companies (name, legal_name, siren, siret, naf_code, employees, size, founded_on, website, email, phone,
 address, department_code, region_code, location, description)
SELECT z.name, upper(z.name COLLATE "fr-x-icu") || ' ' || z.form, z.siren::text, pg_temp.siret(z.siren, z.nic), z.naf,
 z.employees, CASE WHEN z.employees < 10 THEN 'tpe' WHEN z.employees < 250 THEN 'pme' WHEN z.employees < 5000 THEN 'eti'
 ELSE 'ge' END, z.founded_on,
 CASE WHEN z.r_web < 0.7 THEN 'https://www.' || z.slug || '.example' END,
 CASE WHEN z.r_mail < 0.6 THEN 'contact@' || z.slug || '.example' END,
 CASE WHEN z.r_phone < 0.5 THEN z.phone || ' ' || lpad(floor(z.r_ph1 * 100)::int::text, 2, '0') || ' '
  || lpad(floor(z.r_ph2 * 100)::int::text, 2, '0') END,
 z.address, z.code, z.region, z.location, z.description
FROM (SELECT y.*, pg_temp.slug(y.name) AS slug FROM (
SELECT x.*, d.code, d.region, d.phone, s.naf,
 CASE floor(x.r_pat * 7)::int
  WHEN 0 THEN pg_temp.pick(s.words, x.r_w) || ' ' || x.fam
  WHEN 1 THEN pg_temp.pick(s.words, x.r_w) || ' ' || d.city
  WHEN 2 THEN x.fam || ' ' || pg_temp.pick(s.words, x.r_w)
  WHEN 3 THEN pg_temp.pick('{Établissements,Société,Groupe,Maison,Compagnie,Ateliers}', x.r_pref) || ' '
   || x.fam
  WHEN 4 THEN pg_temp.pick(s.words, x.r_w) || ' ' || x.place
  WHEN 5 THEN 'Ets ' || x.fam || ' et Fils'
  ELSE x.fam || ' ' || pg_temp.pick(s.words, x.r_w) || ' '
   || x.place END AS name,
 pg_temp.pick('{SAS,SAS,SAS,SAS,SARL,SARL,SARL,SA,SASU,EURL}', x.r_form) AS form,
-- Most firms are very small; a few are large: 72 % tpe, 24 % pme, 3.7 % eti, 0.3 % ge.
 (CASE WHEN x.r_e1 < 0.72 THEN floor(x.r_e2 * 10) WHEN x.r_e1 < 0.96 THEN floor(exp(ln(10) + x.r_e2 * ln(25)))
  WHEN x.r_e1 < 0.997 THEN floor(exp(ln(250) + x.r_e2 * ln(20))) ELSE floor(exp(ln(5000) + x.r_e2 * ln(12))) END)::int
  AS employees,
 jsonb_build_object('street', CASE WHEN x.r_za < 0.2 THEN pg_temp.pick('{"ZA des Grands Prés","ZI du Moulin","Parc d''activités de la Plaine","ZA de la Croix Blanche","Technopôle du Lac","ZI des Forges","Parc d''innovation Les Érables"}', x.r_st)
 || ', lot ' || (1 + floor(x.r_num * 60))::int
ELSE (1 + floor(x.r_num * x.r_num * 150))::int || ' ' || pg_temp.pick('{rue,rue,rue,avenue,avenue,chemin,allée,boulevard,impasse,route,place}', x.r_st) || ' ' || pg_temp.pick('{"de l''Industrie","des Artisans","du Moulin","Jean Jaurès","Victor Hugo","de la Gare","des Prés","Pasteur","du Général de Gaulle","des Tilleuls","de la République","Gustave Eiffel","André-Marie Ampère","Marie Curie","des Forges","de l''Église","des Écoles","du Château","des Côteaux","Léon Blum","de la Libération","des Érables","du Lavoir","Émile Zola"}', x.r_sn) END, 'postal_code', d.postal, 'city', d.city, 'commune_code', d.commune) AS address,
 jsonb_build_object('lat', round((d.lat + (2 * x.r_lat - 1) * d.spread)::numeric, 5),
  'lon', round((d.lon + (2 * x.r_lon - 1) * d.spread / cos(radians(d.lat)))::numeric, 5)) AS location,
 s.phrase || '. Entreprise implantée ' || d.a_city || ' depuis ' || extract(year FROM x.founded_on) || '.'
  || CASE WHEN x.r_x2 < 0.6 THEN ' ' || pg_temp.pick('{"Certifiée ISO 9001, elle livre les grands donneurs d''ordres européens.","Spécialiste des petites et moyennes séries, elle réalise 40 % de son chiffre d''affaires à l''export.","Son bureau d''études intégré assure le prototypage rapide et le contrôle qualité.","Elle conçoit des solutions sur mesure pour l''industrie, la santé et l''énergie.","Elle investit dans la robotique, la fabrication additive et l''usine du futur.","Elle développe des produits éco-conçus à partir de matériaux biosourcés et recyclés.","Engagée dans une démarche RSE, elle a réduit de moitié son empreinte carbone.","Entreprise familiale transmise sur trois générations, réputée pour son savoir-faire.","Elle forme chaque année des apprentis et des alternants aux métiers de la filière.","Labellisée Entreprise du patrimoine vivant pour l''excellence de ses métiers d''art.","Ses équipes participent aux projets collaboratifs du pôle et aux missions à l''étranger."}', x.r_x1) ELSE '' END AS description
FROM (SELECT g, pg_temp.siren_num(g) AS siren, floor(random() * m.n_dep_slots)::int AS dslot,
  floor(random() * m.n_sector_slots)::int AS sslot, random() AS r_pat, random() AS r_w,
  pg_temp.pick('{Martin,Bernard,Dubois,Thomas,Robert,Richard,Petit,Durand,Leroy,Moreau,Simon,Laurent,Lefèvre,Michel,Garcia,David,Bertrand,Roux,Vincent,Fournier,Morel,Girard,André,Mercier,Dupont,Lambert,Bonnet,François,Martinez,Legrand,Garnier,Faure,Rousseau,Blanc,Guérin,Muller,Henry,Roussel,Perrin,Morin,Chevalier,Gauthier,Masson,Mathieu,Clément,Picard,Perret,Tissot,Bouvier,Carron,Lemaire,Duval,Joly,Gautier,Roger,Roche,Roy,Noël,Meyer,Lucas,Meunier,Jean,Perez,Marchand,Dufour,Blanchard,Gillet,Chevallier,Fontaine,Caron,Fabre,Renard,Brun,Barbier,Arnaud,Gérard,Aubert,Schmitt,Colin,Vidal,Lacroix,Rolland,Lemoine,Renaud,Leclerc,Bourgeois,Lefort,Guillaume,Dumont,Prévost,Huet,Lebrun,Baron,Hubert,Boyer,Giraud,Poirier,Charpentier,Benoît,Millet,Besson,Jacquet,Royer,Delmas,Cordier,Brunet,Bailly,Marie,Collin,Hervé,Rey,Berger,Guichard,Favre,Bertin,Pons,Fleury,Chauvin,Grosjean,Vuillermoz,Jeantet,Salomon}', random()) AS fam, random() AS r_pref, pg_temp.pick('{"du Mont-Blanc","du Jura","des Vosges","de l''Arve","du Rhône","de la Loire","du Léman","de Provence","des Landes","de Bretagne","du Val de Saône","des Alpes","de l''Ouest","du Centre","de Gascogne","du Vercors","des Pyrénées","de la Vallée","du Morvan","de l''Estuaire"}', random()) AS place,
  random() AS r_form, random() AS r_e1, random() AS r_e2,
  current_date - (60 + floor(power(random(), 2) * 27000))::int AS founded_on,
  greatest(1, floor(random() * 150) - 118)::int AS nic, random() AS r_web, random() AS r_mail, random() AS r_phone,
  random() AS r_ph1, random() AS r_ph2, random() AS r_za, random() AS r_num, random() AS r_st, random() AS r_sn,
  random() AS r_lat, random() AS r_lon, random() AS r_x1, random() AS r_x2
  FROM generate_series($1::bigint, $1::bigint + $2::bigint - 1) AS g, seed_meta m OFFSET 0) x
 JOIN seed_dep_slot ds ON ds.slot = x.dslot JOIN seed_dep d ON d.idx = ds.idx
 JOIN seed_sector_slot ss ON ss.slot = x.sslot JOIN seed_sector s ON s.idx = ss.idx OFFSET 0) y OFFSET 0) z
ON CONFLICT (siret) DO NOTHING
RETURNING id, siret, size, naf_code, founded_on, region_code),
m AS (
INSERT INTO memberships (cluster_id, company_id, role, college, joined_on)
SELECT p.id, z.id,
 CASE WHEN v.rr < 0.04 AND p.founded_on BETWEEN z.founded_on AND current_date - 1 THEN 'founding_member'
  WHEN v.rr < 0.12 THEN 'board_member' ELSE 'member' END,
 CASE WHEN z.naf_code = '72.19Z' THEN 'research_training' WHEN z.size IN ('eti', 'ge') THEN 'eti_ge'
  WHEN z.r_col < 0.03 THEN 'other' ELSE 'pme' END,
 CASE WHEN v.rr < 0.04 AND p.founded_on BETWEEN z.founded_on AND current_date - 1 THEN p.founded_on
  ELSE least(current_date - 1, greatest(coalesce(p.founded_on, date '2000-01-01'), z.founded_on)
   + floor(v.rj * greatest(current_date - 1 - greatest(coalesce(p.founded_on, date '2000-01-01'), z.founded_on), 0))::int)
  END
FROM (SELECT z0.*, coalesce(rs.idx, ps.idx) AS k1, ps2.idx AS k2
 FROM (SELECT c.*, random() AS r_sel, random() AS r_slot, random() AS r_two, random() AS r_slot2, random() AS r_role,
  random() AS r_join, random() AS r_role2, random() AS r_join2, random() AS r_col
  FROM (SELECT * FROM c ORDER BY siret) c OFFSET 0) z0
 LEFT JOIN seed_region_pool rp ON rp.region = z0.region_code AND z0.r_sel < 0.85
 LEFT JOIN seed_region_slot rs ON rs.region = rp.region AND rs.slot = floor(z0.r_slot * rp.n)::int
 LEFT JOIN seed_pool_slot ps ON rp.region IS NULL
  AND ps.slot = floor(z0.r_slot * (SELECT n_pool FROM seed_meta))::int
 LEFT JOIN seed_pool_slot ps2 ON z0.r_two < 0.15 AND ps2.slot = floor(z0.r_slot2 * (SELECT n_pool FROM seed_meta))::int
) z
 CROSS JOIN LATERAL (VALUES (z.k1, z.r_role, z.r_join), (CASE WHEN z.k2 <> z.k1 THEN z.k2 END, z.r_role2, z.r_join2))
  AS v (k, rr, rj)
 JOIN seed_pool p ON p.idx = v.k
RETURNING 1)
SELECT (SELECT count(*) FROM c), (SELECT count(*) FROM m)
