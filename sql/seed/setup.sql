-- grappe seed: run once on each of its sessions. Helpers and reference tables of the session.
-- luhn_key(x) is the digit that, appended to x, makes a valid Luhn number: from the right, x's last
-- digit is doubled, the next one not, and so on. siren(p) maps a position p to a distinct SIREN for
-- every p modulo 70 million (48271003 is prime to 70,000,000), in 300000000..999999999. Several
-- statements: run without parameters.

-- A batch lost on a crash is no loss; a batch whose client went away (Ctrl-C) is rolled back.
SET synchronous_commit = off; SET statement_timeout = 0; SET lock_timeout = 0; SET jit = off;
SET work_mem = '64MB'; SET client_connection_check_interval = '1s';
CREATE FUNCTION pg_temp.dbl(bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$ SELECT 2 * $1 - 9 * ($1 / 5) $$;
CREATE FUNCTION pg_temp.luhn_key(bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$ SELECT (10 - (
 pg_temp.dbl($1 % 10) + $1 / 10 % 10 + pg_temp.dbl($1 / 100 % 10) + $1 / 1000 % 10
 + pg_temp.dbl($1 / 10000 % 10) + $1 / 100000 % 10 + pg_temp.dbl($1 / 1000000 % 10)
 + $1 / 10000000 % 10 + pg_temp.dbl($1 / 100000000 % 10) + $1 / 1000000000 % 10
 + pg_temp.dbl($1 / 10000000000 % 10) + $1 / 100000000000 % 10
 + pg_temp.dbl($1 / 1000000000000 % 10)) % 10) % 10 $$;
CREATE FUNCTION pg_temp.siren_num(bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
 SELECT (30000000 + $1 % 70000000 * 48271003 % 70000000) * 10
 + pg_temp.luhn_key(30000000 + $1 % 70000000 * 48271003 % 70000000) $$;
CREATE FUNCTION pg_temp.siren(bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT pg_temp.siren_num($1)::text $$;
-- SIREN followed by the 4 digits of nic and the key of the 13
CREATE FUNCTION pg_temp.siret(bigint, int) RETURNS text LANGUAGE sql IMMUTABLE AS $$
 SELECT (($1 * 10000 + $2) * 10 + pg_temp.luhn_key($1 * 10000 + $2))::text $$;
CREATE FUNCTION pg_temp.pick(text[], float8) RETURNS text LANGUAGE sql IMMUTABLE AS $$
 SELECT $1[1 + floor($2 * cardinality($1))::int] $$;
CREATE FUNCTION pg_temp.slug(text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
 SELECT trim(both '-' from regexp_replace(lower(public.grappe_unaccent($1)), '[^a-z0-9]+', '-', 'g')) $$;
-- Chef-lieu of each department: city, postal code, INSEE commune code, rough coordinates, the
-- spread of generated points (degrees of latitude) and a weight (population in tens of thousands)
-- for drawing departments.
CREATE TEMP TABLE seed_dep AS
SELECT row_number() OVER (ORDER BY d.code)::int AS idx, d.code, d.name::text AS name, d.region_code AS region,
 r.name::text AS region_name, v.city, CASE WHEN v.city LIKE 'Le %' THEN 'au ' || substr(v.city, 4) ELSE 'à ' || v.city END AS a_city,
 v.postal, v.commune, v.lat, v.lon, v.spread, v.weight,
 CASE WHEN d.region_code = '11' THEN '+33 1 99 00' WHEN d.region_code IN ('24', '28', '52', '53') THEN '+33 2 61 91'
 WHEN d.region_code IN ('27', '32', '44') THEN '+33 3 53 01' WHEN d.region_code IN ('84', '93', '94') THEN '+33 4 65 71'
 WHEN d.region_code IN ('75', '76') THEN '+33 5 36 49' ELSE '+33 6 39 98' END AS phone
FROM (VALUES
('01','Bourg-en-Bresse','01000','01053',46.205,5.226,0.25,66),('02','Laon','02000','02408',49.564,3.620,0.3,53),
('03','Moulins','03000','03190',46.566,3.333,0.3,33),('04','Digne-les-Bains','04000','04070',44.092,6.236,0.25,17),
('05','Gap','05000','05061',44.559,6.079,0.25,14),('06','Nice','06000','06088',43.710,7.262,0.15,111),
('07','Privas','07000','07186',44.735,4.599,0.25,33),('08','Charleville-Mézières','08000','08105',49.762,4.726,0.25,27),
('09','Foix','09000','09122',42.965,1.607,0.2,15),('10','Troyes','10000','10387',48.297,4.074,0.25,31),
('11','Carcassonne','11000','11069',43.213,2.349,0.25,38),('12','Rodez','12000','12202',44.350,2.575,0.3,28),
('13','Marseille','13001','13055',43.297,5.370,0.2,205),('14','Caen','14000','14118',49.182,-0.371,0.25,70),
('15','Aurillac','15000','15014',44.927,2.440,0.25,14),('16','Angoulême','16000','16015',45.649,0.156,0.25,35),
('17','La Rochelle','17000','17300',46.160,-1.151,0.3,66),('18','Bourges','18000','18033',47.081,2.399,0.3,30),
('19','Tulle','19000','19272',45.267,1.770,0.25,24),('2A','Ajaccio','20000','2A004',41.919,8.739,0.15,16),
('2B','Bastia','20200','2B033',42.697,9.451,0.15,18),('21','Dijon','21000','21231',47.322,5.041,0.3,54),
('22','Saint-Brieuc','22000','22278',48.514,-2.765,0.3,60),('23','Guéret','23000','23096',46.171,1.871,0.2,12),
('24','Périgueux','24000','24322',45.184,0.721,0.3,41),('25','Besançon','25000','25056',47.238,6.024,0.25,54),
('26','Valence','26000','26362',44.933,4.892,0.25,52),('27','Évreux','27000','27229',49.024,1.151,0.25,60),
('28','Chartres','28000','28085',48.446,1.489,0.25,43),('29','Quimper','29000','29232',47.996,-4.102,0.3,92),
('30','Nîmes','30000','30189',43.837,4.360,0.25,75),('31','Toulouse','31000','31555',43.605,1.444,0.2,141),
('32','Auch','32000','32013',43.646,0.586,0.25,19),('33','Bordeaux','33000','33063',44.838,-0.579,0.3,165),
('34','Montpellier','34000','34172',43.611,3.877,0.25,120),('35','Rennes','35000','35238',48.111,-1.680,0.3,110),
('36','Châteauroux','36000','36044',46.810,1.691,0.25,22),('37','Tours','37000','37261',47.394,0.684,0.25,61),
('38','Grenoble','38000','38185',45.188,5.724,0.3,127),('39','Lons-le-Saunier','39000','39300',46.675,5.555,0.25,26),
('40','Mont-de-Marsan','40000','40192',43.890,-0.500,0.3,42),('41','Blois','41000','41018',47.586,1.336,0.25,33),
('42','Saint-Étienne','42000','42218',45.440,4.387,0.25,77),('43','Le Puy-en-Velay','43000','43157',45.043,3.885,0.25,23),
('44','Nantes','44000','44109',47.218,-1.554,0.3,145),('45','Orléans','45000','45234',47.903,1.909,0.3,68),
('46','Cahors','46000','46042',44.448,1.441,0.25,17),('47','Agen','47000','47001',44.203,0.616,0.25,33),
('48','Mende','48000','48095',44.518,3.500,0.2,8),('49','Angers','49000','49007',47.478,-0.563,0.3,82),
('50','Saint-Lô','50000','50502',49.116,-1.091,0.3,49),('51','Châlons-en-Champagne','51000','51108',48.957,4.363,0.3,57),
('52','Chaumont','52000','52121',48.111,5.139,0.25,17),('53','Laval','53000','53130',48.073,-0.770,0.25,31),
('54','Nancy','54000','54395',48.692,6.184,0.25,73),('55','Bar-le-Duc','55000','55029',48.772,5.160,0.25,18),
('56','Vannes','56000','56260',47.658,-2.760,0.3,76),('57','Metz','57000','57463',49.120,6.176,0.3,104),
('58','Nevers','58000','58194',46.990,3.159,0.25,20),('59','Lille','59000','59350',50.629,3.057,0.3,261),
('60','Beauvais','60000','60057',49.430,2.081,0.3,83),('61','Alençon','61000','61001',48.432,0.091,0.25,28),
('62','Arras','62000','62041',50.291,2.778,0.3,146),('63','Clermont-Ferrand','63000','63113',45.778,3.087,0.3,66),
('64','Pau','64000','64445',43.295,-0.371,0.3,69),('65','Tarbes','65000','65440',43.233,0.078,0.2,23),
('66','Perpignan','66000','66136',42.699,2.895,0.2,48),('67','Strasbourg','67000','67482',48.573,7.752,0.25,115),
('68','Colmar','68000','68066',48.079,7.358,0.2,77),('69','Lyon','69001','69123',45.764,4.836,0.15,188),
('70','Vesoul','70000','70550',47.622,6.155,0.25,23),('71','Mâcon','71000','71270',46.307,4.829,0.3,55),
('72','Le Mans','72000','72181',48.006,0.199,0.3,56),('73','Chambéry','73000','73065',45.564,5.918,0.25,44),
('74','Annecy','74000','74010',45.899,6.129,0.25,84),('75','Paris','75001','75056',48.857,2.352,0.04,213),
('76','Rouen','76000','76540',49.443,1.100,0.3,125),('77','Melun','77000','77288',48.540,2.660,0.3,143),
('78','Versailles','78000','78646',48.805,2.130,0.2,146),('79','Niort','79000','79191',46.324,-0.465,0.25,38),
('80','Amiens','80000','80021',49.894,2.296,0.3,57),('81','Albi','81000','81004',43.929,2.148,0.25,39),
('82','Montauban','82000','82121',44.018,1.355,0.2,26),('83','Toulon','83000','83137',43.124,5.928,0.25,108),
('84','Avignon','84000','84007',43.949,4.806,0.2,56),('85','La Roche-sur-Yon','85000','85191',46.670,-1.426,0.3,69),
('86','Poitiers','86000','86194',46.580,0.340,0.3,44),('87','Limoges','87000','87085',45.834,1.262,0.25,37),
('88','Épinal','88000','88160',48.173,6.450,0.25,36),('89','Auxerre','89000','89024',47.798,3.567,0.3,33),
('90','Belfort','90000','90010',47.638,6.863,0.08,14),('91','Évry-Courcouronnes','91000','91228',48.629,2.441,0.12,130),
('92','Nanterre','92000','92050',48.892,2.207,0.05,163),('93','Bobigny','93000','93008',48.908,2.440,0.05,165),
('94','Créteil','94000','94028',48.790,2.455,0.05,140),('95','Cergy','95000','95127',49.036,2.076,0.12,125),
('971','Basse-Terre','97100','97105',16.000,-61.730,0.08,38),('972','Fort-de-France','97200','97209',14.616,-61.059,0.08,36),
('973','Cayenne','97300','97302',4.933,-52.330,0.1,29),('974','Saint-Denis','97400','97411',-20.882,55.450,0.1,87),
('976','Mamoudzou','97600','97611',-12.780,45.228,0.04,30)
) AS v (code, city, postal, commune, lat, lon, spread, weight)
JOIN departments d ON d.code = v.code JOIN regions r ON r.code = d.region_code;
ALTER TABLE seed_dep ADD PRIMARY KEY (idx);
-- Sectors: NAF code, words for company names, the name of the sector in a cluster's name, its tag,
-- a sentence for descriptions and a weight.
CREATE TEMP TABLE seed_sector (idx int PRIMARY KEY, naf text, words text[], label text, lname text, tag text,
 phrase text, weight int);
INSERT INTO seed_sector VALUES
(1,'25.62A','{Décolletage,Usinage,"Décolletage de précision"}','Décolletage','décolletage','decolletage',
'Décolletage et usinage de pièces de précision pour l''automobile, le médical et l''aéronautique',5),
(2,'25.62B','{Mécanique,"Mécanique industrielle",Chaudronnerie}','Mécanique','mécanique','mecanique',
'Mécanique générale, chaudronnerie et maintenance d''équipements industriels',6),
(3,'32.50B','{Lunetterie,Optique,Montures}','Lunetterie','lunetterie','lunetterie',
'Fabrication de montures de lunettes, de verres et d''étuis, du design à la finition',2),
(4,'16.10A','{Scierie,Bois,"Bois et Charpente"}','Bois','bois','bois',
'Sciage, rabotage et séchage de résineux et de feuillus issus de forêts gérées durablement',4),
(5,'22.29A','{Plasturgie,Plastiques,"Injection plastique"}','Plasturgie','plasturgie','plasturgie',
'Injection et extrusion de pièces plastiques techniques, moules et outillages',5),
(6,'20.42Z','{Cosmétiques,Parfums,"Laboratoires cosmétiques"}','Cosmétique','cosmétique','cosmetique',
'Formulation et fabrication de soins, de parfums et de cosmétiques biologiques',2),
(7,'13.20Z','{Tissage,Textiles,"Tissus techniques"}','Textile','textile','textile',
'Tissage d''étoffes d''habillement et de textiles techniques pour le bâtiment et la santé',2),
(8,'62.01Z','{Logiciels,Informatique,Numérique}','Numérique','numérique','numerique',
'Édition de logiciels, développement d''applications métier et services numériques',10),
(9,'10.51C','{Fromagerie,Laiterie,Affinage}','Agroalimentaire','agroalimentaire','agroalimentaire',
'Fabrication de fromages au lait cru affinés en cave et de spécialités laitières',3),
(10,'30.12Z','{"Chantier naval",Nautisme,Voilerie}','Nautisme','nautisme','nautisme',
'Construction et réparation de bateaux de plaisance, voiliers et vedettes à moteur',1),
(11,'71.12B','{Ingénierie,"Bureau d''études",Études}','Ingénierie','ingénierie','ingenierie',
'Ingénierie, études techniques, calcul de structures et essais',7),
(12,'30.30Z','{Aéro,Aérostructures,Aéronautique}','Aéronautique','aéronautique','aeronautique',
'Aérostructures, équipements embarqués et pièces pour l''aéronautique et le spatial',3),
(13,'28.41Z','{Machines-outils,Automatismes,Robotique}','Machines-outils','machines-outils','machines-outils',
'Conception de machines-outils, de robots et de lignes d''assemblage automatisées',3),
(14,'25.61Z','{"Traitement de surface",Galvanoplastie,Revêtements}','Traitement de surface',
'traitement de surface','traitement-de-surface',
'Traitement et revêtement des métaux : anodisation, galvanoplastie, peinture époxy',2),
(15,'11.02B','{Domaine,Vignobles,Cave}','Vins','vin','vin',
'Vinification, élevage en fûts de chêne et vente de vins d''appellation à l''export',3),
(16,'26.11Z','{Électronique,Composants,Capteurs}','Électronique','électronique','electronique',
'Fabrication de composants et de cartes électroniques, de capteurs et d''objets connectés',3),
(17,'21.20Z','{Pharma,Laboratoires,Biotech}','Santé','santé','sante',
'Fabrication de médicaments, de dispositifs médicaux et de produits de santé',2),
(18,'24.51Z','{Fonderie,"Fonderie de précision"}','Fonderie','fonderie','fonderie',
'Fonderie de fonte et d''aciers spéciaux, pièces moulées pour l''industrie',1),
(19,'31.09B','{Ébénisterie,Meubles,Agencement}','Ameublement','ameublement','ameublement',
'Fabrication de meubles et agencement sur mesure, ébénisterie d''art',2),
(20,'72.19Z','{Recherche,Laboratoire,Innovation}','Innovation','recherche','recherche',
'Recherche et développement en matériaux, procédés et énergie, transfert de technologie',2),
(21,'27.11Z','{Énergie,Électrotechnique,Bobinage}','Énergie','énergie','energie',
'Moteurs, générateurs et transformateurs électriques pour la transition énergétique',2);
-- Weighted draws go through slot tables (slot -> idx), joined by hash: an array of thousands of
-- elements would be detoasted again for every row.
CREATE TEMP TABLE seed_dep_slot AS SELECT (row_number() OVER (ORDER BY d.idx, k) - 1)::int AS slot, d.idx
 FROM seed_dep d, generate_series(1, d.weight) k;
ALTER TABLE seed_dep_slot ADD PRIMARY KEY (slot);
CREATE TEMP TABLE seed_sector_slot AS SELECT (row_number() OVER (ORDER BY s.idx, k) - 1)::int AS slot, s.idx
 FROM seed_sector s, generate_series(1, s.weight) k;
ALTER TABLE seed_sector_slot ADD PRIMARY KEY (slot);
CREATE TEMP TABLE seed_region AS SELECT region, array_agg(idx ORDER BY idx) AS deps FROM seed_dep GROUP BY region;
CREATE TEMP TABLE seed_meta AS SELECT (SELECT count(*) FROM seed_dep_slot)::int AS n_dep_slots,
 (SELECT count(*) FROM seed_sector_slot)::int AS n_sector_slots, (SELECT count(*) FROM seed_dep)::int AS n_deps,
 (SELECT count(*) FROM seed_sector)::int AS n_sectors, 0 AS n_pool;
-- The clusters that companies join, each drawn with its weight.
CREATE TEMP TABLE seed_pool (idx serial PRIMARY KEY, id uuid NOT NULL, founded_on date, regions text[],
 weight int NOT NULL, dissolved bool NOT NULL);
ANALYZE seed_dep, seed_sector, seed_dep_slot, seed_sector_slot, seed_region, seed_meta;
