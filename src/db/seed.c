/* grappe seed: synthetic clusters, companies and memberships at national scale.
 *
 * PostgreSQL makes every row (INSERT ... SELECT over generate_series), so that 3 million
 * companies cost minutes and a few megabytes here: C only sends statements and counts.
 * The word lists, the departments' chefs-lieux and the sectors live in temporary tables of
 * this session; random() drives every choice, and setseed() makes a run reproducible.
 * Randoms are drawn in an OFFSET 0 subquery over generate_series, before any join, and the
 * rows just inserted are read back in a fixed order (SIRET, name) before more are drawn, so
 * that they are consumed in the same order whatever plan PostgreSQL picks.
 *
 * What bounds the speed is the schema, not the generation: per company, a dozen B-tree
 * indexes (two with ICU collation), the full-text GIN and the GiST of locations, the SIREN and
 * SIRET checks and four foreign keys cost about 200 µs of one core. Hence --jobs.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "db.h"
#include "validate.h"

#define MAX_CLUSTERS 400000L
#define MAX_COMPANIES 10000000L
#define CLUSTER_BATCH 50000L
#define COMPANY_BATCH 100000L
#define MAX_JOBS 16
#define MAX_ACTIVITIES 1000000L
#define DEFAULT_JOBS 2

static const char seed_help[] =
  "usage: grappe seed [--clusters N] [--companies M] [--projects P] [--events E] [--random-seed S] [--jobs J]\n"
  "\n"
  "Adds N synthetic clusters (with indicators for the three last years) and M synthetic\n"
  "companies, each a current member of one cluster (some of two), for benchmarks and for\n"
  "trying the API at national scale (about 400 clusters and 80,000 companies; 3,000,000\n"
  "companies work too).\n"
  "Every row passes the API's checks: SIREN and SIRET with their Luhn key, NAF codes,\n"
  "departments with their region, addresses and locations in the department.\n"
  "\n"
  "  --clusters N       clusters to add, 0..400000 (default 0). Companies join the\n"
  "                     clusters of this run, or with 0 the clusters already there.\n"
  "  --companies M      companies to add, 0..10000000 (default 0)\n"
  "  --projects P       cooperation projects to add, 0..1000000, led by clusters already\n"
  "                     there, with members of the lead cluster as participants\n"
  "  --events E         events to add, 0..1000000, from two years ago to one year ahead,\n"
  "                     with confirmed registrations within their capacity\n"
  "  --random-seed S    0..2147483647: the same seed on the same database makes the same\n"
  "                     values (ids and timestamps aside); without it one is drawn and\n"
  "                     printed on standard error\n"
  "  --jobs J           connections inserting companies in parallel, 1..16 (default 2)\n"
  "  --help             this text\n"
  "\n"
  "PostgreSQL generates the rows, up to 100,000 companies per transaction (an interrupted run\n"
  "keeps the batches it finished); progress goes to standard error and the last line of\n"
  "standard output reads \"seeded N clusters, M companies, K memberships in T s\".\n"
  "Running it again adds more: new SIRETs never collide with existing ones.\n"
  "It needs a session of its own (temporary tables): not through pgbouncer in transaction mode.\n";

/* Long SQL is kept in pieces: ISO C promises string literals of 4095 characters only. */

/* Helpers and reference tables of the session. luhn_key(x) is the digit that, appended to
   x, makes a valid Luhn number: from the right, x's last digit is doubled, the next one
   not, and so on. siren(p) maps a position p to a distinct SIREN for every p modulo 70
   million (48271003 is prime to 70,000,000), in 300000000..999999999. */
static const char *const setup_sql[] = {
  /* A batch lost on a crash is no loss; a batch whose client went away (Ctrl-C) is rolled back. */
  "SET synchronous_commit = off; SET statement_timeout = 0; SET lock_timeout = 0; SET jit = off;"
  "SET work_mem = '64MB'; SET client_connection_check_interval = '1s';"
  "CREATE FUNCTION pg_temp.dbl(bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$ SELECT 2 * $1 - 9 * ($1 / 5) $$;"
  "CREATE FUNCTION pg_temp.luhn_key(bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$ SELECT (10 - ("
  " pg_temp.dbl($1 % 10) + $1 / 10 % 10 + pg_temp.dbl($1 / 100 % 10) + $1 / 1000 % 10"
  " + pg_temp.dbl($1 / 10000 % 10) + $1 / 100000 % 10 + pg_temp.dbl($1 / 1000000 % 10)"
  " + $1 / 10000000 % 10 + pg_temp.dbl($1 / 100000000 % 10) + $1 / 1000000000 % 10"
  " + pg_temp.dbl($1 / 10000000000 % 10) + $1 / 100000000000 % 10"
  " + pg_temp.dbl($1 / 1000000000000 % 10)) % 10) % 10 $$;"
  "CREATE FUNCTION pg_temp.siren_num(bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$"
  " SELECT (30000000 + $1 % 70000000 * 48271003 % 70000000) * 10"
  " + pg_temp.luhn_key(30000000 + $1 % 70000000 * 48271003 % 70000000) $$;"
  "CREATE FUNCTION pg_temp.siren(bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT pg_temp.siren_num($1)::text $$;"
  /* SIREN followed by the 4 digits of nic and the key of the 13 */
  "CREATE FUNCTION pg_temp.siret(bigint, int) RETURNS text LANGUAGE sql IMMUTABLE AS $$"
  " SELECT (($1 * 10000 + $2) * 10 + pg_temp.luhn_key($1 * 10000 + $2))::text $$;"
  "CREATE FUNCTION pg_temp.pick(text[], float8) RETURNS text LANGUAGE sql IMMUTABLE AS $$"
  " SELECT $1[1 + floor($2 * cardinality($1))::int] $$;"
  "CREATE FUNCTION pg_temp.slug(text) RETURNS text LANGUAGE sql IMMUTABLE AS $$"
  " SELECT trim(both '-' from regexp_replace(lower(public.grappe_unaccent($1)), '[^a-z0-9]+', '-', 'g')) $$;",

  /* Chef-lieu of each department: city, postal code, INSEE commune code, rough
     coordinates, the spread of generated points (degrees of latitude) and a weight
     (population in tens of thousands) for drawing departments. */
  "CREATE TEMP TABLE seed_dep AS "
  "SELECT row_number() OVER (ORDER BY d.code)::int AS idx, d.code, d.name::text AS name, d.region_code AS region,"
  " r.name::text AS region_name, v.city, CASE WHEN v.city LIKE 'Le %' THEN 'au ' || substr(v.city, 4) ELSE 'à ' || v.city END AS a_city,"
  " v.postal, v.commune, v.lat, v.lon, v.spread, v.weight,"
  " CASE WHEN d.region_code = '11' THEN '+33 1 99 00' WHEN d.region_code IN ('24', '28', '52', '53') THEN '+33 2 61 91'"
  " WHEN d.region_code IN ('27', '32', '44') THEN '+33 3 53 01' WHEN d.region_code IN ('84', '93', '94') THEN '+33 4 65 71'"
  " WHEN d.region_code IN ('75', '76') THEN '+33 5 36 49' ELSE '+33 6 39 98' END AS phone "
  "FROM (VALUES "
  "('01','Bourg-en-Bresse','01000','01053',46.205,5.226,0.25,66),('02','Laon','02000','02408',49.564,3.620,0.3,53),"
  "('03','Moulins','03000','03190',46.566,3.333,0.3,33),('04','Digne-les-Bains','04000','04070',44.092,6.236,0.25,17),"
  "('05','Gap','05000','05061',44.559,6.079,0.25,14),('06','Nice','06000','06088',43.710,7.262,0.15,111),"
  "('07','Privas','07000','07186',44.735,4.599,0.25,33),('08','Charleville-Mézières','08000','08105',49.762,4.726,0.25,27),"
  "('09','Foix','09000','09122',42.965,1.607,0.2,15),('10','Troyes','10000','10387',48.297,4.074,0.25,31),"
  "('11','Carcassonne','11000','11069',43.213,2.349,0.25,38),('12','Rodez','12000','12202',44.350,2.575,0.3,28),"
  "('13','Marseille','13001','13055',43.297,5.370,0.2,205),('14','Caen','14000','14118',49.182,-0.371,0.25,70),"
  "('15','Aurillac','15000','15014',44.927,2.440,0.25,14),('16','Angoulême','16000','16015',45.649,0.156,0.25,35),"
  "('17','La Rochelle','17000','17300',46.160,-1.151,0.3,66),('18','Bourges','18000','18033',47.081,2.399,0.3,30),"
  "('19','Tulle','19000','19272',45.267,1.770,0.25,24),('2A','Ajaccio','20000','2A004',41.919,8.739,0.15,16),"
  "('2B','Bastia','20200','2B033',42.697,9.451,0.15,18),('21','Dijon','21000','21231',47.322,5.041,0.3,54),"
  "('22','Saint-Brieuc','22000','22278',48.514,-2.765,0.3,60),('23','Guéret','23000','23096',46.171,1.871,0.2,12),"
  "('24','Périgueux','24000','24322',45.184,0.721,0.3,41),('25','Besançon','25000','25056',47.238,6.024,0.25,54),"
  "('26','Valence','26000','26362',44.933,4.892,0.25,52),('27','Évreux','27000','27229',49.024,1.151,0.25,60),"
  "('28','Chartres','28000','28085',48.446,1.489,0.25,43),('29','Quimper','29000','29232',47.996,-4.102,0.3,92),"
  "('30','Nîmes','30000','30189',43.837,4.360,0.25,75),('31','Toulouse','31000','31555',43.605,1.444,0.2,141),"
  "('32','Auch','32000','32013',43.646,0.586,0.25,19),('33','Bordeaux','33000','33063',44.838,-0.579,0.3,165),"
  "('34','Montpellier','34000','34172',43.611,3.877,0.25,120),('35','Rennes','35000','35238',48.111,-1.680,0.3,110),"
  "('36','Châteauroux','36000','36044',46.810,1.691,0.25,22),('37','Tours','37000','37261',47.394,0.684,0.25,61),"
  "('38','Grenoble','38000','38185',45.188,5.724,0.3,127),('39','Lons-le-Saunier','39000','39300',46.675,5.555,0.25,26),"
  "('40','Mont-de-Marsan','40000','40192',43.890,-0.500,0.3,42),('41','Blois','41000','41018',47.586,1.336,0.25,33),"
  "('42','Saint-Étienne','42000','42218',45.440,4.387,0.25,77),('43','Le Puy-en-Velay','43000','43157',45.043,3.885,0.25,23),"
  "('44','Nantes','44000','44109',47.218,-1.554,0.3,145),('45','Orléans','45000','45234',47.903,1.909,0.3,68),"
  "('46','Cahors','46000','46042',44.448,1.441,0.25,17),('47','Agen','47000','47001',44.203,0.616,0.25,33),"
  "('48','Mende','48000','48095',44.518,3.500,0.2,8),('49','Angers','49000','49007',47.478,-0.563,0.3,82),",
  "('50','Saint-Lô','50000','50502',49.116,-1.091,0.3,49),('51','Châlons-en-Champagne','51000','51108',48.957,4.363,0.3,57),"
  "('52','Chaumont','52000','52121',48.111,5.139,0.25,17),('53','Laval','53000','53130',48.073,-0.770,0.25,31),"
  "('54','Nancy','54000','54395',48.692,6.184,0.25,73),('55','Bar-le-Duc','55000','55029',48.772,5.160,0.25,18),"
  "('56','Vannes','56000','56260',47.658,-2.760,0.3,76),('57','Metz','57000','57463',49.120,6.176,0.3,104),"
  "('58','Nevers','58000','58194',46.990,3.159,0.25,20),('59','Lille','59000','59350',50.629,3.057,0.3,261),"
  "('60','Beauvais','60000','60057',49.430,2.081,0.3,83),('61','Alençon','61000','61001',48.432,0.091,0.25,28),"
  "('62','Arras','62000','62041',50.291,2.778,0.3,146),('63','Clermont-Ferrand','63000','63113',45.778,3.087,0.3,66),"
  "('64','Pau','64000','64445',43.295,-0.371,0.3,69),('65','Tarbes','65000','65440',43.233,0.078,0.2,23),"
  "('66','Perpignan','66000','66136',42.699,2.895,0.2,48),('67','Strasbourg','67000','67482',48.573,7.752,0.25,115),"
  "('68','Colmar','68000','68066',48.079,7.358,0.2,77),('69','Lyon','69001','69123',45.764,4.836,0.15,188),"
  "('70','Vesoul','70000','70550',47.622,6.155,0.25,23),('71','Mâcon','71000','71270',46.307,4.829,0.3,55),"
  "('72','Le Mans','72000','72181',48.006,0.199,0.3,56),('73','Chambéry','73000','73065',45.564,5.918,0.25,44),"
  "('74','Annecy','74000','74010',45.899,6.129,0.25,84),('75','Paris','75001','75056',48.857,2.352,0.04,213),"
  "('76','Rouen','76000','76540',49.443,1.100,0.3,125),('77','Melun','77000','77288',48.540,2.660,0.3,143),"
  "('78','Versailles','78000','78646',48.805,2.130,0.2,146),('79','Niort','79000','79191',46.324,-0.465,0.25,38),"
  "('80','Amiens','80000','80021',49.894,2.296,0.3,57),('81','Albi','81000','81004',43.929,2.148,0.25,39),"
  "('82','Montauban','82000','82121',44.018,1.355,0.2,26),('83','Toulon','83000','83137',43.124,5.928,0.25,108),"
  "('84','Avignon','84000','84007',43.949,4.806,0.2,56),('85','La Roche-sur-Yon','85000','85191',46.670,-1.426,0.3,69),"
  "('86','Poitiers','86000','86194',46.580,0.340,0.3,44),('87','Limoges','87000','87085',45.834,1.262,0.25,37),"
  "('88','Épinal','88000','88160',48.173,6.450,0.25,36),('89','Auxerre','89000','89024',47.798,3.567,0.3,33),"
  "('90','Belfort','90000','90010',47.638,6.863,0.08,14),('91','Évry-Courcouronnes','91000','91228',48.629,2.441,0.12,130),"
  "('92','Nanterre','92000','92050',48.892,2.207,0.05,163),('93','Bobigny','93000','93008',48.908,2.440,0.05,165),"
  "('94','Créteil','94000','94028',48.790,2.455,0.05,140),('95','Cergy','95000','95127',49.036,2.076,0.12,125),"
  "('971','Basse-Terre','97100','97105',16.000,-61.730,0.08,38),('972','Fort-de-France','97200','97209',14.616,-61.059,0.08,36),"
  "('973','Cayenne','97300','97302',4.933,-52.330,0.1,29),('974','Saint-Denis','97400','97411',-20.882,55.450,0.1,87),"
  "('976','Mamoudzou','97600','97611',-12.780,45.228,0.04,30)"
  ") AS v (code, city, postal, commune, lat, lon, spread, weight) "
  "JOIN departments d ON d.code = v.code JOIN regions r ON r.code = d.region_code;"
  "ALTER TABLE seed_dep ADD PRIMARY KEY (idx);",

  /* Sectors: NAF code, words for company names, the name of the sector in a cluster's
     name, its tag, a sentence for descriptions and a weight. */
  "CREATE TEMP TABLE seed_sector (idx int PRIMARY KEY, naf text, words text[], label text, lname text, tag text,"
  " phrase text, weight int);"
  "INSERT INTO seed_sector VALUES "
  "(1,'25.62A','{Décolletage,Usinage,\"Décolletage de précision\"}','Décolletage','décolletage','decolletage',"
  "'Décolletage et usinage de pièces de précision pour l''automobile, le médical et l''aéronautique',5),"
  "(2,'25.62B','{Mécanique,\"Mécanique industrielle\",Chaudronnerie}','Mécanique','mécanique','mecanique',"
  "'Mécanique générale, chaudronnerie et maintenance d''équipements industriels',6),"
  "(3,'32.50B','{Lunetterie,Optique,Montures}','Lunetterie','lunetterie','lunetterie',"
  "'Fabrication de montures de lunettes, de verres et d''étuis, du design à la finition',2),"
  "(4,'16.10A','{Scierie,Bois,\"Bois et Charpente\"}','Bois','bois','bois',"
  "'Sciage, rabotage et séchage de résineux et de feuillus issus de forêts gérées durablement',4),"
  "(5,'22.29A','{Plasturgie,Plastiques,\"Injection plastique\"}','Plasturgie','plasturgie','plasturgie',"
  "'Injection et extrusion de pièces plastiques techniques, moules et outillages',5),"
  "(6,'20.42Z','{Cosmétiques,Parfums,\"Laboratoires cosmétiques\"}','Cosmétique','cosmétique','cosmetique',"
  "'Formulation et fabrication de soins, de parfums et de cosmétiques biologiques',2),"
  "(7,'13.20Z','{Tissage,Textiles,\"Tissus techniques\"}','Textile','textile','textile',"
  "'Tissage d''étoffes d''habillement et de textiles techniques pour le bâtiment et la santé',2),"
  "(8,'62.01Z','{Logiciels,Informatique,Numérique}','Numérique','numérique','numerique',"
  "'Édition de logiciels, développement d''applications métier et services numériques',10),"
  "(9,'10.51C','{Fromagerie,Laiterie,Affinage}','Agroalimentaire','agroalimentaire','agroalimentaire',"
  "'Fabrication de fromages au lait cru affinés en cave et de spécialités laitières',3),"
  "(10,'30.12Z','{\"Chantier naval\",Nautisme,Voilerie}','Nautisme','nautisme','nautisme',"
  "'Construction et réparation de bateaux de plaisance, voiliers et vedettes à moteur',1),"
  "(11,'71.12B','{Ingénierie,\"Bureau d''études\",Études}','Ingénierie','ingénierie','ingenierie',"
  "'Ingénierie, études techniques, calcul de structures et essais',7),"
  "(12,'30.30Z','{Aéro,Aérostructures,Aéronautique}','Aéronautique','aéronautique','aeronautique',"
  "'Aérostructures, équipements embarqués et pièces pour l''aéronautique et le spatial',3),"
  "(13,'28.41Z','{Machines-outils,Automatismes,Robotique}','Machines-outils','machines-outils','machines-outils',"
  "'Conception de machines-outils, de robots et de lignes d''assemblage automatisées',3),"
  "(14,'25.61Z','{\"Traitement de surface\",Galvanoplastie,Revêtements}','Traitement de surface',"
  "'traitement de surface','traitement-de-surface',"
  "'Traitement et revêtement des métaux : anodisation, galvanoplastie, peinture époxy',2),"
  "(15,'11.02B','{Domaine,Vignobles,Cave}','Vins','vin','vin',"
  "'Vinification, élevage en fûts de chêne et vente de vins d''appellation à l''export',3),"
  "(16,'26.11Z','{Électronique,Composants,Capteurs}','Électronique','électronique','electronique',"
  "'Fabrication de composants et de cartes électroniques, de capteurs et d''objets connectés',3),"
  "(17,'21.20Z','{Pharma,Laboratoires,Biotech}','Santé','santé','sante',"
  "'Fabrication de médicaments, de dispositifs médicaux et de produits de santé',2),"
  "(18,'24.51Z','{Fonderie,\"Fonderie de précision\"}','Fonderie','fonderie','fonderie',"
  "'Fonderie de fonte et d''aciers spéciaux, pièces moulées pour l''industrie',1),"
  "(19,'31.09B','{Ébénisterie,Meubles,Agencement}','Ameublement','ameublement','ameublement',"
  "'Fabrication de meubles et agencement sur mesure, ébénisterie d''art',2),"
  "(20,'72.19Z','{Recherche,Laboratoire,Innovation}','Innovation','recherche','recherche',"
  "'Recherche et développement en matériaux, procédés et énergie, transfert de technologie',2),"
  "(21,'27.11Z','{Énergie,Électrotechnique,Bobinage}','Énergie','énergie','energie',"
  "'Moteurs, générateurs et transformateurs électriques pour la transition énergétique',2);",

  /* Weighted draws go through slot tables (slot -> idx), joined by hash: an array of
     thousands of elements would be detoasted again for every row. */
  "CREATE TEMP TABLE seed_dep_slot AS SELECT (row_number() OVER (ORDER BY d.idx, k) - 1)::int AS slot, d.idx"
  " FROM seed_dep d, generate_series(1, d.weight) k;"
  "ALTER TABLE seed_dep_slot ADD PRIMARY KEY (slot);"
  "CREATE TEMP TABLE seed_sector_slot AS SELECT (row_number() OVER (ORDER BY s.idx, k) - 1)::int AS slot, s.idx"
  " FROM seed_sector s, generate_series(1, s.weight) k;"
  "ALTER TABLE seed_sector_slot ADD PRIMARY KEY (slot);"
  "CREATE TEMP TABLE seed_region AS SELECT region, array_agg(idx ORDER BY idx) AS deps FROM seed_dep GROUP BY region;"
  "CREATE TEMP TABLE seed_meta AS SELECT (SELECT count(*) FROM seed_dep_slot)::int AS n_dep_slots,"
  " (SELECT count(*) FROM seed_sector_slot)::int AS n_sector_slots, (SELECT count(*) FROM seed_dep)::int AS n_deps,"
  " (SELECT count(*) FROM seed_sector)::int AS n_sectors, 0 AS n_pool;"
  /* The clusters that companies join, each drawn with its weight. */
  "CREATE TEMP TABLE seed_pool (idx serial PRIMARY KEY, id uuid NOT NULL, founded_on date, regions text[],"
  " weight int NOT NULL, dissolved bool NOT NULL);"
  "ANALYZE seed_dep, seed_sector, seed_dep_slot, seed_sector_slot, seed_region, seed_meta;",
  NULL,
};

/* Street addresses, shared by clusters and companies (x holds the randoms). */
#define STREET_SQL \
  "CASE WHEN x.r_za < 0.2 THEN pg_temp.pick('{\"ZA des Grands Prés\",\"ZI du Moulin\",\"Parc d''activités de la Plaine\"," \
  "\"ZA de la Croix Blanche\",\"Technopôle du Lac\",\"ZI des Forges\",\"Parc d''innovation Les Érables\"}', x.r_st)" \
  " || ', lot ' || (1 + floor(x.r_num * 60))::int " \
  "ELSE (1 + floor(x.r_num * x.r_num * 150))::int || ' ' || pg_temp.pick('{rue,rue,rue,avenue,avenue,chemin,allée,boulevard," \
  "impasse,route,place}', x.r_st) || ' ' || pg_temp.pick('{\"de l''Industrie\",\"des Artisans\",\"du Moulin\",\"Jean Jaurès\"," \
  "\"Victor Hugo\",\"de la Gare\",\"des Prés\",\"Pasteur\",\"du Général de Gaulle\",\"des Tilleuls\",\"de la République\"," \
  "\"Gustave Eiffel\",\"André-Marie Ampère\",\"Marie Curie\",\"des Forges\",\"de l''Église\",\"des Écoles\",\"du Château\"," \
  "\"des Côteaux\",\"Léon Blum\",\"de la Libération\",\"des Érables\",\"du Lavoir\",\"Émile Zola\"}', x.r_sn) END"

/* Clusters $2 of them, numbered from $1 in their names. Each is recorded in seed_pool. */
static const char *const clusters_sql[] = {
  "WITH ins AS ("
  "INSERT INTO clusters (name, acronym, kind, description, sectors, siren, founded_on, website, email, phone, address,"
  " region_codes, department_codes, location, staff_fte, maturity, status, labels) "
  "SELECT w.name, w.acronym, w.kind, w.description, w.sectors, w.siren, w.founded_on,"
  " 'https://www.' || w.slug || '.example', 'contact@' || w.slug || '.example', w.phone, w.address,"
  " t2.regs, t1.deps, w.location, w.staff_fte, w.maturity, w.status, w.labels "
  "FROM (SELECT y.*, pg_temp.slug(y.name) AS slug FROM ("
  "SELECT x.*,"
  " x.kindword || ' ' || s.label || ' ' || CASE WHEN x.kind = 'pole_competitivite' THEN d.region_name ELSE d.name END"
  "  || ' ' || x.g AS name,"
  " upper(left(pg_temp.slug(x.kindword), 1) || left(pg_temp.slug(s.label), 4)) || x.g AS acronym,"
  " x.kindphrase || ' de la filière ' || s.lname || ', dont l''équipe est installée ' || d.a_city || ' ('"
  "  || d.name || '). ' || s.phrase || '. ' || pg_temp.pick('{\"Le réseau anime des achats groupés, des formations et des missions"
  " à l''export pour ses adhérents.\",\"Le réseau accompagne les projets collaboratifs de R&D entre PME, grands groupes et"
  " laboratoires.\",\"Le réseau mutualise une veille technologique et réglementaire et organise des rencontres d''affaires.\","
  "\"Le réseau porte une marque collective et fédère les acteurs du territoire autour de l''innovation.\",\"Le réseau"
  " soutient la transition écologique et numérique des entreprises de la filière.\",\"Le réseau favorise l''emploi,"
  " l''attractivité des métiers et la formation des jeunes.\"}', x.r_desc) AS description,"
  " CASE WHEN x.r_sec3 < 0.6 AND s2.tag <> s.tag THEN ARRAY[s.tag, s2.tag] ELSE ARRAY[s.tag] END AS sectors,"
  " CASE WHEN x.r_siren_has < 0.6 THEN pg_temp.siren(floor(x.r_siren * 70000000)::bigint) END AS siren,",
  " d.phone || ' ' || lpad(floor(x.r_ph1 * 100)::int::text, 2, '0') || ' ' || lpad(floor(x.r_ph2 * 100)::int::text, 2, '0') AS phone,"
  " jsonb_build_object('street', " STREET_SQL ", 'postal_code', d.postal, 'city', d.city, 'commune_code', d.commune) AS address,"
  " jsonb_build_object('lat', round((d.lat + (2 * x.r_lat - 1) * d.spread / 2)::numeric, 5),"
  "  'lon', round((d.lon + (2 * x.r_lon - 1) * d.spread / 2 / cos(radians(d.lat)))::numeric, 5)) AS location,"
  " round((CASE WHEN x.kind = 'pole_competitivite' THEN 8 + x.r_fte * 32 ELSE 1 + x.r_fte * x.r_fte * 19 END)::numeric, 2) AS staff_fte,"
  /* Older clusters are more often mature. */
  " CASE WHEN (current_date - x.founded_on) / 12000.0 + x.r_mat * 0.6 < 0.25 THEN 'emerging'"
  "  WHEN (current_date - x.founded_on) / 12000.0 + x.r_mat * 0.6 < 0.45 THEN 'proof_of_concept'"
  "  WHEN (current_date - x.founded_on) / 12000.0 + x.r_mat * 0.6 < 0.85 THEN 'structured' ELSE 'mature' END AS maturity,"
  " CASE WHEN x.r_status < 0.88 THEN 'active' WHEN x.r_status < 0.96 THEN 'dormant' ELSE 'dissolved' END AS status,"
  " CASE WHEN x.kind = 'pole_competitivite' THEN jsonb_build_array(jsonb_build_object('scheme', 'etat_pole', 'level', NULL,"
  "  'awarded_on', '2023-01-01', 'valid_until', '2026-12-31')) ELSE '[]'::jsonb END"
  " || CASE WHEN x.r_label < 0.35 THEN jsonb_build_array(jsonb_build_object('scheme', 'esca', 'level',"
  "  pg_temp.pick('{bronze,bronze,silver,gold}', x.r_lvl), 'awarded_on', current_date - floor(x.r_aw * 1000)::int,"
  "  'valid_until', current_date - floor(x.r_aw * 1000)::int + 730)) ELSE '[]'::jsonb END AS labels,"
  " CASE WHEN x.r_n < 0.45 THEN NULL WHEN x.r_same2 < 0.85 THEN rg.deps[1 + floor(x.r_d2 * cardinality(rg.deps))::int]"
  "  ELSE 1 + floor(x.r_d2 * x.n_deps)::int END AS d2,"
  " CASE WHEN x.r_n < 0.8 THEN NULL WHEN x.r_same3 < 0.85 THEN rg.deps[1 + floor(x.r_d3 * cardinality(rg.deps))::int]"
  "  ELSE 1 + floor(x.r_d3 * x.n_deps)::int END AS d3 ",
  "FROM (SELECT k.*, CASE k.kind WHEN 'pole_competitivite' THEN 'Pôle' WHEN 'grappe_entreprises' THEN 'Grappe'"
  "  WHEN 'cluster' THEN 'Cluster' WHEN 'spl' THEN 'SPL' ELSE 'Réseau' END AS kindword,"
  " CASE k.kind WHEN 'pole_competitivite' THEN 'Pôle de compétitivité' WHEN 'grappe_entreprises' THEN 'Grappe d''entreprises'"
  "  WHEN 'cluster' THEN 'Cluster' WHEN 'spl' THEN 'Système productif local' ELSE 'Réseau d''entreprises' END AS kindphrase,"
  /* The pôles de compétitivité date from 2005. */
  " CASE WHEN k.kind = 'pole_competitivite' THEN date '2005-07-12' + floor(k.r_found * (current_date - 400 - date '2005-07-12'))::int"
  "  ELSE date '1990-01-01' + floor(k.r_found * (current_date - 400 - date '1990-01-01'))::int END AS founded_on"
  " FROM (SELECT r.*, ds.idx AS d1, ss.idx AS s1, CASE WHEN r.r_kind < 0.15 THEN 'pole_competitivite'"
  "  WHEN r.r_kind < 0.40 THEN 'grappe_entreprises' WHEN r.r_kind < 0.80 THEN 'cluster' WHEN r.r_kind < 0.90 THEN 'spl'"
  "  ELSE 'other' END AS kind"
  "  FROM (SELECT g, m.n_deps, floor(random() * m.n_dep_slots)::int AS dslot, floor(random() * m.n_sector_slots)::int AS sslot,"
  "   1 + floor(random() * m.n_sectors)::int AS s2, random() AS r_kind, random() AS r_sec3, random() AS r_n,"
  "   random() AS r_same2, random() AS r_d2, random() AS r_same3, random() AS r_d3, random() AS r_found,"
  "   random() AS r_siren_has, random() AS r_siren, random() AS r_fte, random() AS r_mat, random() AS r_status,"
  "   random() AS r_label, random() AS r_lvl, random() AS r_aw, random() AS r_lat, random() AS r_lon, random() AS r_za,"
  "   random() AS r_num, random() AS r_st, random() AS r_sn, random() AS r_ph1, random() AS r_ph2, random() AS r_desc"
  "   FROM generate_series($1::bigint, $1::bigint + $2::bigint - 1) AS g, seed_meta m OFFSET 0) r"
  "  JOIN seed_dep_slot ds ON ds.slot = r.dslot JOIN seed_sector_slot ss ON ss.slot = r.sslot) k) x"
  " JOIN seed_dep d ON d.idx = x.d1 JOIN seed_sector s ON s.idx = x.s1 JOIN seed_sector s2 ON s2.idx = x.s2"
  " JOIN seed_region rg ON rg.region = d.region OFFSET 0) y OFFSET 0) w"
  " CROSS JOIN LATERAL (SELECT array_agg(dd.code ORDER BY u.o) AS deps FROM (SELECT v.i, min(v.o) AS o"
  "  FROM (VALUES (1, w.d1), (2, w.d2), (3, w.d3)) AS v (o, i) WHERE v.i IS NOT NULL GROUP BY v.i) u"
  "  JOIN seed_dep dd ON dd.idx = u.i) t1"
  " CROSS JOIN LATERAL (SELECT array_agg(q.region ORDER BY q.o) AS regs FROM (SELECT dd.region, min(v.o) AS o"
  "  FROM (VALUES (1, w.d1), (2, w.d2), (3, w.d3)) AS v (o, i) JOIN seed_dep dd ON dd.idx = v.i GROUP BY dd.region) q) t2 "
  "RETURNING id, name, founded_on, region_codes, kind, status) "
  "INSERT INTO seed_pool (id, founded_on, regions, weight, dissolved) "
  "SELECT id, founded_on, region_codes, CASE kind WHEN 'pole_competitivite' THEN 6 WHEN 'spl' THEN 1 WHEN 'other' THEN 1"
  " ELSE 3 END * (1 + floor(random() * 3))::int, status = 'dissolved' FROM (SELECT * FROM ins ORDER BY name) i",
  NULL,
};

/* With --clusters 0, companies join the clusters already there (in an order that does not
   depend on their random ids, for reproducible runs). */
static const char pool_existing_sql[] =
  "INSERT INTO seed_pool (id, founded_on, regions, weight, dissolved) "
  "SELECT c.id, c.founded_on, c.region_codes, CASE c.kind WHEN 'pole_competitivite' THEN 6 WHEN 'spl' THEN 1"
  " WHEN 'other' THEN 1 ELSE 3 END * (1 + floor(random() * 3))::int, c.status = 'dissolved'"
  " FROM (SELECT id, founded_on, region_codes, kind, status FROM clusters ORDER BY name COLLATE \"C\", founded_on, id) c";

/* Slots of the clusters to join, overall and by region; dissolved clusters take no new
   members unless there is nothing else. Answers the number of slots. */
static const char pool_finish_sql[] =
  "CREATE TEMP TABLE seed_pool_slot AS SELECT (row_number() OVER (ORDER BY p.idx, k) - 1)::int AS slot, p.idx"
  " FROM seed_pool p, generate_series(1, p.weight) k"
  " WHERE NOT p.dissolved OR NOT EXISTS (SELECT 1 FROM seed_pool q WHERE NOT q.dissolved);"
  "ALTER TABLE seed_pool_slot ADD PRIMARY KEY (slot);"
  "CREATE TEMP TABLE seed_region_slot AS SELECT r.region,"
  " (row_number() OVER (PARTITION BY r.region ORDER BY p.idx, k) - 1)::int AS slot, p.idx"
  " FROM seed_pool p CROSS JOIN LATERAL unnest(p.regions) AS r (region) CROSS JOIN generate_series(1, p.weight) k"
  " WHERE NOT p.dissolved OR NOT EXISTS (SELECT 1 FROM seed_pool q WHERE NOT q.dissolved);"
  "ALTER TABLE seed_region_slot ADD PRIMARY KEY (region, slot);"
  "CREATE TEMP TABLE seed_region_pool AS SELECT region, count(*)::int AS n FROM seed_region_slot GROUP BY region;"
  "UPDATE seed_meta SET n_pool = (SELECT count(*) FROM seed_pool_slot);"
  "ANALYZE seed_pool, seed_pool_slot, seed_region_slot, seed_region_pool, seed_meta;"
  "SELECT n_pool FROM seed_meta";

#define FAMILIES_SQL \
  "'{Martin,Bernard,Dubois,Thomas,Robert,Richard,Petit,Durand,Leroy,Moreau,Simon,Laurent,Lefèvre,Michel,Garcia," \
  "David,Bertrand,Roux,Vincent,Fournier,Morel,Girard,André,Mercier,Dupont,Lambert,Bonnet,François,Martinez,Legrand," \
  "Garnier,Faure,Rousseau,Blanc,Guérin,Muller,Henry,Roussel,Perrin,Morin,Chevalier,Gauthier,Masson,Mathieu,Clément," \
  "Picard,Perret,Tissot,Bouvier,Carron,Lemaire,Duval,Joly,Gautier,Roger,Roche,Roy,Noël,Meyer,Lucas,Meunier,Jean," \
  "Perez,Marchand,Dufour,Blanchard,Gillet,Chevallier,Fontaine,Caron,Fabre,Renard,Brun,Barbier,Arnaud,Gérard,Aubert," \
  "Schmitt,Colin,Vidal,Lacroix,Rolland,Lemoine,Renaud,Leclerc,Bourgeois,Lefort,Guillaume,Dumont,Prévost,Huet,Lebrun," \
  "Baron,Hubert,Boyer,Giraud,Poirier,Charpentier,Benoît,Millet,Besson,Jacquet,Royer,Delmas,Cordier,Brunet,Bailly," \
  "Marie,Collin,Hervé,Rey,Berger,Guichard,Favre,Bertin,Pons,Fleury,Chauvin,Grosjean,Vuillermoz,Jeantet,Salomon}'"
#define PLACES_SQL \
  "'{\"du Mont-Blanc\",\"du Jura\",\"des Vosges\",\"de l''Arve\",\"du Rhône\",\"de la Loire\",\"du Léman\",\"de Provence\"," \
  "\"des Landes\",\"de Bretagne\",\"du Val de Saône\",\"des Alpes\",\"de l''Ouest\",\"du Centre\",\"de Gascogne\"," \
  "\"du Vercors\",\"des Pyrénées\",\"de la Vallée\",\"du Morvan\",\"de l''Estuaire\"}'"

/* Companies at positions $1 .. $1 + $2 - 1 (position p has SIREN siren(p)), each a current
   member of a cluster of its region most of the time, some of a second one. Answers the
   companies and memberships made: a SIRET already there is skipped. */
static const char *const companies_sql[] = {
  "WITH c AS ("
  "INSERT INTO companies (name, legal_name, siren, siret, naf_code, employees, size, founded_on, website, email, phone,"
  " address, department_code, region_code, location, description) "
  "SELECT z.name, upper(z.name COLLATE \"fr-x-icu\") || ' ' || z.form, z.siren::text, pg_temp.siret(z.siren, z.nic), z.naf,"
  " z.employees, CASE WHEN z.employees < 10 THEN 'tpe' WHEN z.employees < 250 THEN 'pme' WHEN z.employees < 5000 THEN 'eti'"
  " ELSE 'ge' END, z.founded_on,"
  " CASE WHEN z.r_web < 0.7 THEN 'https://www.' || z.slug || '.example' END,"
  " CASE WHEN z.r_mail < 0.6 THEN 'contact@' || z.slug || '.example' END,"
  " CASE WHEN z.r_phone < 0.5 THEN z.phone || ' ' || lpad(floor(z.r_ph1 * 100)::int::text, 2, '0') || ' '"
  "  || lpad(floor(z.r_ph2 * 100)::int::text, 2, '0') END,"
  " z.address, z.code, z.region, z.location, z.description "
  "FROM (SELECT y.*, pg_temp.slug(y.name) AS slug FROM ("
  "SELECT x.*, d.code, d.region, d.phone, s.naf,"
  " CASE floor(x.r_pat * 7)::int"
  "  WHEN 0 THEN pg_temp.pick(s.words, x.r_w) || ' ' || x.fam"
  "  WHEN 1 THEN pg_temp.pick(s.words, x.r_w) || ' ' || d.city"
  "  WHEN 2 THEN x.fam || ' ' || pg_temp.pick(s.words, x.r_w)"
  "  WHEN 3 THEN pg_temp.pick('{Établissements,Société,Groupe,Maison,Compagnie,Ateliers}', x.r_pref) || ' '"
  "   || x.fam"
  "  WHEN 4 THEN pg_temp.pick(s.words, x.r_w) || ' ' || x.place"
  "  WHEN 5 THEN 'Ets ' || x.fam || ' et Fils'"
  "  ELSE x.fam || ' ' || pg_temp.pick(s.words, x.r_w) || ' '"
  "   || x.place END AS name,",
  " pg_temp.pick('{SAS,SAS,SAS,SAS,SARL,SARL,SARL,SA,SASU,EURL}', x.r_form) AS form,"
  /* Most firms are very small; a few are large: 72 % tpe, 24 % pme, 3.7 % eti, 0.3 % ge. */
  " (CASE WHEN x.r_e1 < 0.72 THEN floor(x.r_e2 * 10) WHEN x.r_e1 < 0.96 THEN floor(exp(ln(10) + x.r_e2 * ln(25)))"
  "  WHEN x.r_e1 < 0.997 THEN floor(exp(ln(250) + x.r_e2 * ln(20))) ELSE floor(exp(ln(5000) + x.r_e2 * ln(12))) END)::int"
  "  AS employees,"
  " jsonb_build_object('street', " STREET_SQL ", 'postal_code', d.postal, 'city', d.city, 'commune_code', d.commune) AS address,"
  " jsonb_build_object('lat', round((d.lat + (2 * x.r_lat - 1) * d.spread)::numeric, 5),"
  "  'lon', round((d.lon + (2 * x.r_lon - 1) * d.spread / cos(radians(d.lat)))::numeric, 5)) AS location,"
  " s.phrase || '. Entreprise implantée ' || d.a_city || ' depuis ' || extract(year FROM x.founded_on) || '.'"
  "  || CASE WHEN x.r_x2 < 0.6 THEN ' ' || pg_temp.pick('{\"Certifiée ISO 9001, elle livre les grands donneurs d''ordres européens.\",\"Spécialiste des petites"
  " et moyennes séries, elle réalise 40 % de son chiffre d''affaires à l''export.\",\"Son bureau d''études intégré assure"
  " le prototypage rapide et le contrôle qualité.\",\"Elle conçoit des solutions sur mesure pour l''industrie, la santé"
  " et l''énergie.\",\"Elle investit dans la robotique, la fabrication additive et l''usine du futur.\",\"Elle développe des"
  " produits éco-conçus à partir de matériaux biosourcés et recyclés.\",\"Engagée dans une démarche RSE, elle a réduit de moitié son"
  " empreinte carbone.\",\"Entreprise familiale transmise sur trois générations, réputée pour son savoir-faire.\",\"Elle"
  " forme chaque année des apprentis et des alternants aux métiers de la filière.\",\"Labellisée Entreprise du patrimoine"
  " vivant pour l''excellence de ses métiers d''art.\",\"Ses équipes participent aux projets collaboratifs du pôle et aux"
  " missions à l''étranger.\"}', x.r_x1) ELSE '' END AS description ",
  "FROM (SELECT g, pg_temp.siren_num(g) AS siren, floor(random() * m.n_dep_slots)::int AS dslot,"
  "  floor(random() * m.n_sector_slots)::int AS sslot, random() AS r_pat, random() AS r_w,"
  "  pg_temp.pick(" FAMILIES_SQL ", random()) AS fam, random() AS r_pref, pg_temp.pick(" PLACES_SQL ", random()) AS place,"
  "  random() AS r_form, random() AS r_e1, random() AS r_e2,"
  "  current_date - (60 + floor(power(random(), 2) * 27000))::int AS founded_on,"
  "  greatest(1, floor(random() * 150) - 118)::int AS nic, random() AS r_web, random() AS r_mail, random() AS r_phone,"
  "  random() AS r_ph1, random() AS r_ph2, random() AS r_za, random() AS r_num, random() AS r_st, random() AS r_sn,"
  "  random() AS r_lat, random() AS r_lon, random() AS r_x1, random() AS r_x2"
  "  FROM generate_series($1::bigint, $1::bigint + $2::bigint - 1) AS g, seed_meta m OFFSET 0) x"
  " JOIN seed_dep_slot ds ON ds.slot = x.dslot JOIN seed_dep d ON d.idx = ds.idx"
  " JOIN seed_sector_slot ss ON ss.slot = x.sslot JOIN seed_sector s ON s.idx = ss.idx OFFSET 0) y OFFSET 0) z "
  "ON CONFLICT (siret) DO NOTHING "
  "RETURNING id, siret, size, naf_code, founded_on, region_code), ",
  "m AS ("
  "INSERT INTO memberships (cluster_id, company_id, role, college, joined_on) "
  "SELECT p.id, z.id,"
  " CASE WHEN v.rr < 0.04 AND p.founded_on BETWEEN z.founded_on AND current_date - 1 THEN 'founding_member'"
  "  WHEN v.rr < 0.12 THEN 'board_member' ELSE 'member' END,"
  " CASE WHEN z.naf_code = '72.19Z' THEN 'research_training' WHEN z.size IN ('eti', 'ge') THEN 'eti_ge'"
  "  WHEN z.r_col < 0.03 THEN 'other' ELSE 'pme' END,"
  " CASE WHEN v.rr < 0.04 AND p.founded_on BETWEEN z.founded_on AND current_date - 1 THEN p.founded_on"
  "  ELSE least(current_date - 1, greatest(coalesce(p.founded_on, date '2000-01-01'), z.founded_on)"
  "   + floor(v.rj * greatest(current_date - 1 - greatest(coalesce(p.founded_on, date '2000-01-01'), z.founded_on), 0))::int)"
  "  END "
  "FROM (SELECT z0.*, coalesce(rs.idx, ps.idx) AS k1, ps2.idx AS k2"
  " FROM (SELECT c.*, random() AS r_sel, random() AS r_slot, random() AS r_two, random() AS r_slot2, random() AS r_role,"
  "  random() AS r_join, random() AS r_role2, random() AS r_join2, random() AS r_col"
  "  FROM (SELECT * FROM c ORDER BY siret) c OFFSET 0) z0"
  " LEFT JOIN seed_region_pool rp ON rp.region = z0.region_code AND z0.r_sel < 0.85"
  " LEFT JOIN seed_region_slot rs ON rs.region = rp.region AND rs.slot = floor(z0.r_slot * rp.n)::int"
  " LEFT JOIN seed_pool_slot ps ON rp.region IS NULL"
  "  AND ps.slot = floor(z0.r_slot * (SELECT n_pool FROM seed_meta))::int"
  " LEFT JOIN seed_pool_slot ps2 ON z0.r_two < 0.15 AND ps2.slot = floor(z0.r_slot2 * (SELECT n_pool FROM seed_meta))::int"
  ") z"
  " CROSS JOIN LATERAL (VALUES (z.k1, z.r_role, z.r_join), (CASE WHEN z.k2 <> z.k1 THEN z.k2 END, z.r_role2, z.r_join2))"
  "  AS v (k, rr, rj)"
  " JOIN seed_pool p ON p.idx = v.k "
  "RETURNING 1) "
  "SELECT (SELECT count(*) FROM c), (SELECT count(*) FROM m)",
  NULL,
};

/* The clusters to join, handed from the first connection to the others (ids in pool order,
   weights, dissolved flags), so that every connection draws from the same pool. */
static const char pool_export_sql[] =
  "SELECT coalesce(array_agg(id ORDER BY idx), '{}')::text, coalesce(array_agg(weight ORDER BY idx), '{}')::text,"
  " coalesce(array_agg(dissolved ORDER BY idx), '{}')::text FROM seed_pool";
static const char pool_import_sql[] =
  "INSERT INTO seed_pool (id, founded_on, regions, weight, dissolved) "
  "SELECT c.id, c.founded_on, c.region_codes, u.w, u.d"
  " FROM unnest($1::uuid[], $2::int[], $3::bool[]) WITH ORDINALITY AS u (id, w, d, o) JOIN clusters c ON c.id = u.id"
  " ORDER BY u.o";

/* Concatenates the pieces of a statement; the caller frees the result. */
static char *join_sql(const char *const *parts) {
  struct buf b;
  buf_init(&b);
  for (; *parts; parts++) buf_adds(&b, *parts);
  return buf_steal(&b);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Checks a result: returns it when the statement succeeded, else prints what failed,
   clears it and returns NULL. */
static PGresult *check(PGresult *r, const char *what) {
  ExecStatusType st = PQresultStatus(r);
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return r;
  fprintf(stderr, "grappe: seed: %s failed: %s", what, PQresultErrorMessage(r));
  PQclear(r);
  return NULL;
}

/* Runs sql (several statements when there are no parameters); see check(). */
static PGresult *run(PGconn *pg, const char *what, const char *sql, int nparams, const char *const *params) {
  return check(nparams ? PQexecParams(pg, sql, nparams, NULL, params, NULL, NULL, 0) : PQexec(pg, sql), what);
}

/* Runs a statement and returns the first column of its last row as a number, or -1. */
static long long run_number(PGconn *pg, const char *what, const char *sql, int nparams, const char *const *params) {
  PGresult *r = run(pg, what, sql, nparams, params);
  if (!r) return -1;
  long long v = -1;
  if (PQntuples(r) > 0 && PQnfields(r) > 0) v = strtoll(PQgetvalue(r, PQntuples(r) - 1, 0), NULL, 10);
  else fprintf(stderr, "grappe: seed: %s answered no row\n", what);
  PQclear(r);
  return v;
}

/* Waits for the statement sent on pg; returns its (successful) result or NULL. */
static PGresult *collect(PGconn *pg, const char *what) {
  PGresult *r, *first = NULL;
  while ((r = PQgetResult(pg))) {
    if (!first) first = r;
    else PQclear(r);
  }
  if (!first) {
    fprintf(stderr, "grappe: seed: %s failed: %s", what, PQerrorMessage(pg));
    return NULL;
  }
  return check(first, what);
}

/* Seeds random() of the session: seed is 0..2^31-1. */
static bool set_seed(PGconn *pg, long seed) {
  char s[32];
  snprintf(s, sizeof s, "%ld", seed);
  const char *params[] = {s};
  PGresult *r = run(pg, "setseed", "SELECT setseed($1::float8 / 2147483648)", 1, params);
  bool ok = r != NULL;
  PQclear(r);
  return ok;
}

/* Prepares a session: helper functions, reference tables, and its random seed. */
static bool session_setup(PGconn *pg, const char *setup, long seed) {
  PGresult *r = run(pg, "setup", setup, 0, NULL);
  if (!r) return false;
  PQclear(r);
  return seed < 0 || set_seed(pg, seed);
}

/* Hands the pool of conn[0] to the other connections. */
static bool share_pool(PGconn **conn, int jobs) {
  PGresult *e = run(conn[0], "reading the pool", pool_export_sql, 0, NULL);
  if (!e) return false;
  const char *params[] = {PQgetvalue(e, 0, 0), PQgetvalue(e, 0, 1), PQgetvalue(e, 0, 2)};
  bool ok = true;
  for (int j = 1; j < jobs && ok; j++) {
    PGresult *r = run(conn[j], "sharing the pool", pool_import_sql, 3, params);
    ok = r != NULL;
    PQclear(r);
  }
  PQclear(e);
  return ok;
}

/* Indicators for the clusters of this run (in seed_pool): the three last complete years,
   for about 85 % of them, with figures in the proportions of real clusters. */
static const char *const indicators_sql[] = {
  "INSERT INTO indicators (cluster_id, year, members, staff_fte, budget_eur, public_funding_eur, projects_started,"
  " events_held) "
  "SELECT id, y, members, staff, budget, round((budget * (0.2 + r_pub * 0.6))::numeric, -3), floor(r_proj * (2 + staff))::int,"
  " floor(r_ev * (4 + 3 * staff))::int FROM (SELECT id, y, r_pub, r_proj, r_ev,"
  "  20 + floor(r_mem * r_mem * 480)::int AS members, round((0.5 + r_staff * r_staff * 30)::numeric, 1) AS staff,"
  "  round((60000 * (0.5 + r_staff * r_staff * 30) * (0.8 + r_bud * 0.6))::numeric, -3) AS budget"
  "  FROM (SELECT p.id, y.y, random() AS r_keep, random() AS r_mem, random() AS r_staff, random() AS r_bud,"
  "   random() AS r_pub, random() AS r_proj, random() AS r_ev"
  "   FROM (SELECT id, idx FROM seed_pool ORDER BY idx) p"
  "   CROSS JOIN generate_series(extract(year FROM current_date)::int - 3, extract(year FROM current_date)::int - 1) AS y (y)"
  "   ORDER BY p.idx, y.y OFFSET 0) r WHERE r_keep < 0.85) v",
  NULL,
};

/* Cooperation projects led by clusters already there, with members of the lead cluster as
   participants, one or two funding lines, and dates around today. */
static const char *const projects_sql[] = {
  "WITH cl AS (SELECT array_agg(id ORDER BY name COLLATE \"C\", id) AS ids FROM clusters),"
  " cats AS (SELECT ARRAY['pooling','innovation','human_resources','international','communication','other'] AS c,"
  "  ARRAY['Achats groupés','Programme R&D mutualisé','Plan de formation partagé','Mission export',"
  "  'Marque collective','Club'] AS label) "
  "INSERT INTO projects (title, summary, category, status, lead_cluster_id, cluster_ids, companies, funding, budget_eur,"
  " starts_on, ends_on) "
  "SELECT x.label || ' ' || s.lname || ' ' || x.g, x.label || ' de la filière ' || s.lname || ' : ' || s.phrase || '.',"
  " x.cat, x.status, x.lead, x.others,"
  " coalesce((SELECT jsonb_agg(jsonb_build_object('company_id', m.company_id, 'role', CASE WHEN m.n = 1 THEN 'lead'"
  "  ELSE 'partner' END)) FROM (SELECT company_id, row_number() OVER (ORDER BY company_id) AS n FROM memberships"
  "  WHERE cluster_id = x.lead AND left_on IS NULL ORDER BY company_id LIMIT x.ncomp) m), '[]'),"
  " jsonb_build_array(jsonb_build_object('source', (ARRAY['eu','state','region','bpifrance','members'])[1 + floor(x.r_src * 5)::int],"
  "  'program', NULL, 'amount_eur', round(x.budget * 0.4), 'status', 'granted')),"
  " x.budget, x.starts, x.starts + 180 + floor(x.r_len * 900)::int "
  "FROM (SELECT r.g, c.c[1 + floor(r.r_cat * 6)::int] AS cat, c.label[1 + floor(r.r_cat * 6)::int] AS label,"
  "  CASE WHEN r.r_st < 0.15 THEN 'idea' WHEN r.r_st < 0.3 THEN 'proof_of_concept' WHEN r.r_st < 0.7 THEN 'running'"
  "  WHEN r.r_st < 0.92 THEN 'completed' ELSE 'abandoned' END AS status,"
  "  cl.ids[1 + floor(r.r_lead * array_length(cl.ids, 1))::int]::uuid AS lead,"
  "  CASE WHEN r.r_inter < 0.2 THEN ARRAY[cl.ids[1 + floor(r.r_o * array_length(cl.ids, 1))::int]::text] ELSE '{}' END AS others,"
  "  1 + floor(r.r_comp * 5)::int AS ncomp, round((20000 + r.r_bud * r.r_bud * 2000000)::numeric, -3) AS budget,"
  "  (current_date - 1500 + floor(r.r_start * 1800)::int) AS starts, r.r_len, r.r_src, r.r_sec"
  "  FROM (SELECT g, random() AS r_cat, random() AS r_st, random() AS r_lead, random() AS r_inter, random() AS r_o,"
  "   random() AS r_comp, random() AS r_bud, random() AS r_start, random() AS r_len, random() AS r_src, random() AS r_sec"
  "   FROM generate_series(1, $1::int) AS g OFFSET 0) r, cl, cats c) x"
  " JOIN seed_sector s ON s.idx = 1 + floor(x.r_sec * (SELECT count(*) FROM seed_sector))::int "
  "WHERE x.lead IS NOT NULL AND NOT (x.lead::text = ANY(x.others))",
  NULL,
};

/* Events over three years (two past, one ahead), mostly organised by a cluster, and their
   registrations: confirmed ones within the capacity, as the API would have taken them. */
static const char events_table_sql[] =
  "CREATE TEMP TABLE IF NOT EXISTS seed_events (id uuid PRIMARY KEY, capacity int); TRUNCATE seed_events";
static const char *const events_sql[] = {
  "WITH cl AS (SELECT array_agg(id ORDER BY name COLLATE \"C\", id) AS ids FROM clusters),"
  " ins AS (INSERT INTO events (title, description, kind, organizer_cluster_id, starts_at, ends_at, mode, venue,"
  "  online_url, capacity, status, public) "
  " SELECT k.label || ' ' || s.lname || ' n° ' || x.g, k.label || ' consacré à la filière ' || s.lname || ' : '"
  "  || s.phrase || '.', k.kind, x.org, x.starts, x.starts + make_interval(hours => 2 + floor(x.r_len * 7)::int),"
  "  x.mode, CASE WHEN x.mode <> 'online' THEN jsonb_build_object('name', 'Salle ' || x.g, 'street', NULL,"
  "  'postal_code', NULL, 'city', NULL, 'commune_code', NULL) END,"
  "  CASE WHEN x.mode <> 'in_person' THEN 'https://visio.example.org/' || x.g END,"
  "  CASE WHEN x.r_cap < 0.3 THEN NULL ELSE 20 + floor(x.r_cap * 180)::int END,"
  "  CASE WHEN x.r_st < 0.04 THEN 'cancelled' ELSE 'scheduled' END, x.r_pub < 0.9"
  " FROM (SELECT r.*, CASE WHEN r.r_org < 0.05 THEN NULL ELSE cl.ids[1 + floor(r.r_o * array_length(cl.ids, 1))::int]::uuid"
  "   END AS org, date_trunc('hour', now()) + make_interval(hours => floor((r.r_when - 0.66) * 26280)::int) AS starts,"
  "   (ARRAY['in_person','in_person','in_person','online','hybrid'])[1 + floor(r.r_mode * 5)::int] AS mode"
  "   FROM (SELECT g, random() AS r_kind, random() AS r_sec, random() AS r_org, random() AS r_o, random() AS r_when,"
  "    random() AS r_len, random() AS r_mode, random() AS r_cap, random() AS r_st, random() AS r_pub"
  "    FROM generate_series(1, $1::int) AS g OFFSET 0) r, cl) x"
  " JOIN (SELECT * FROM (VALUES (0, 'training', 'Formation'), (1, 'benchmarking', 'Rencontre benchmarking'),"
  "   (2, 'networking', 'Soirée réseau'), (3, 'webinar', 'Webinaire'), (4, 'trade_fair', 'Salon'),"
  "   (5, 'export_mission', 'Mission export'), (6, 'workshop', 'Atelier'), (7, 'general_assembly', 'Assemblée générale'),"
  "   (8, 'conference', 'Conférence'), (9, 'other', 'Rendez-vous')) AS v (i, kind, label)) k ON k.i = floor(x.r_kind * 10)::int"
  " JOIN seed_sector s ON s.idx = 1 + floor(x.r_sec * (SELECT count(*) FROM seed_sector))::int"
  " RETURNING id, capacity) "
  "INSERT INTO seed_events SELECT id, capacity FROM ins",
  NULL,
};
static const char registrations_sql[] =
  "INSERT INTO registrations (event_id, name, email, status, cancel_token_hash) "
  "SELECT e.id, 'Participant ' || n, 'participant' || n || '.' || left(e.id::text, 8) || '@example.org', 'confirmed',"
  " sha256(uuid_send(gen_random_uuid())) "
  "FROM (SELECT id, capacity, random() AS r FROM seed_events ORDER BY id OFFSET 0) e"
  " CROSS JOIN LATERAL generate_series(1, floor(e.r * least(coalesce(e.capacity, 60), 60))::int) AS n";

struct totals {
  long long clusters, companies, memberships, indicators, projects, events, registrations;
};

/* Clusters in batches, numbered after the base ones in their names. */
static bool make_clusters(PGconn *pg, long nclusters, long long base, struct totals *t, double t0) {
  char *sql = join_sql(clusters_sql);
  char a[32], b[32];
  const char *params[] = {a, b};
  bool ok = true;
  for (long done = 0; done < nclusters && ok; done += CLUSTER_BATCH) {
    long n = nclusters - done < CLUSTER_BATCH ? nclusters - done : CLUSTER_BATCH;
    snprintf(a, sizeof a, "%lld", base + done + 1);
    snprintf(b, sizeof b, "%ld", n);
    PGresult *r = run(pg, "inserting clusters", sql, 2, params);
    if (!r) { ok = false; break; }
    t->clusters += strtoll(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    fprintf(stderr, "seed: %lld/%ld clusters (%.1f s)\n", t->clusters, nclusters, now_s() - t0);
  }
  free(sql);
  return ok;
}

/* Seeds random() for batch b: a batch makes the same rows whichever connection runs it. */
static bool seed_batch(PGconn *pg, long seed, long long b) {
  return set_seed(pg, (long)((seed * 1000003LL + (b + 1) * 7919LL) % 2147483648LL));
}

/* Waits until one of the busy connections has its answer; returns its index, or -1. */
static int wait_any(PGconn **conn, const bool *busy, int jobs) {
  for (;;) {
    struct pollfd fds[MAX_JOBS];
    int who[MAX_JOBS], n = 0;
    for (int j = 0; j < jobs; j++) {
      if (!busy[j]) continue;
      if (!PQconsumeInput(conn[j]) || !PQisBusy(conn[j])) return j;  /* an error is reported by collect() */
      fds[n].fd = PQsocket(conn[j]);
      fds[n].events = POLLIN;
      fds[n].revents = 0;
      who[n++] = j;
    }
    if (n == 0) return -1;
    if (poll(fds, (nfds_t)n, -1) < 0 && errno != EINTR) {
      fprintf(stderr, "grappe: seed: poll: %s\n", strerror(errno));
      return who[0];  /* collect() then blocks on it, which is no worse */
    }
  }
}

/* Companies in batches of consecutive positions, handed to whichever connection is free.
   The batch size does not depend on --jobs, and each batch seeds random() from the run's
   seed and its number, so that a seed gives the same rows whatever --jobs. A SIRET that
   exists already is skipped and its company made at a later position; give up if most
   positions are taken (not expected: 70 million SIRENs for at most 10 million a run). */
static bool make_companies(PGconn **conn, int jobs, long ncompanies, long long pos, long seed, struct totals *t,
                           double t0) {
  char *sql = join_sql(companies_sql);
  char a[32], b[32];
  const char *params[] = {a, b};  /* PQsendQueryParams copies them */
  bool busy[MAX_JOBS] = {false};
  long long size = (ncompanies + 31) / 32, next = pos, batch = 0, limit = pos + 2LL * ncompanies + 1000000;
  if (size < 1000) size = 1000;
  if (size > COMPANY_BATCH) size = COMPANY_BATCH;
  double shown = 0;
  bool ok = true;
  while (ok && t->companies < ncompanies && next < limit) {
    /* One pass sends what is missing; a later pass replaces the SIRETs that were skipped. */
    long long want = ncompanies - t->companies, queued = 0;
    int running = 0;
    while (queued < want || running > 0) {
      for (int j = 0; ok && j < jobs && queued < want; j++) {
        if (busy[j]) continue;
        long long n = want - queued < size ? want - queued : size;
        snprintf(a, sizeof a, "%lld", next);
        snprintf(b, sizeof b, "%lld", n);
        if (!seed_batch(conn[j], seed, batch)) { ok = false; break; }
        if (!PQsendQueryParams(conn[j], sql, 2, NULL, params, NULL, NULL, 0)) {
          fprintf(stderr, "grappe: seed: inserting companies failed: %s", PQerrorMessage(conn[j]));
          ok = false;
          break;
        }
        busy[j] = true;
        running++;
        batch++;
        next += n;
        queued += n;
      }
      if (!ok) want = queued;  /* send no more; drain what runs */
      if (running == 0) break;
      int j = wait_any(conn, busy, jobs);
      if (j < 0) break;
      busy[j] = false;
      running--;
      PGresult *r = collect(conn[j], "inserting companies");
      if (!r) { ok = false; want = queued; continue; }
      t->companies += strtoll(PQgetvalue(r, 0, 0), NULL, 10);
      t->memberships += strtoll(PQgetvalue(r, 0, 1), NULL, 10);
      PQclear(r);
      if (now_s() - shown >= 2 || t->companies == ncompanies) {
        shown = now_s();
        fprintf(stderr, "seed: %lld/%ld companies, %lld memberships (%.1f s)\n", t->companies, ncompanies,
                t->memberships, shown - t0);
      }
    }
  }
  if (ok && next - pos > t->companies)
    fprintf(stderr, "seed: skipped %lld SIRETs that existed already\n", next - pos - t->companies);
  free(sql);
  return ok;
}

/* Fresh statistics for the tables this run grew by a tenth or more (autovacuum's own
   threshold), so that the API's first queries get good plans; in parallel when we can. */
static bool analyze(PGconn **conn, const struct totals *before, const struct totals *t) {
  const char *stmts[8];
  int n = 0;
  if (t->indicators > 0) stmts[n++] = "ANALYZE indicators";
  if (t->projects > 0) stmts[n++] = "ANALYZE projects";
  if (t->events > 0) {
    stmts[n++] = "ANALYZE events";
    stmts[n++] = "ANALYZE registrations";
  }
  if (t->companies > 0 && t->companies * 10 >= before->companies + t->companies) {
    stmts[n++] = "ANALYZE companies";
    stmts[n++] = "ANALYZE memberships";
  }
  if (t->clusters > 0 && t->clusters * 10 >= before->clusters + t->clusters) stmts[n++] = "ANALYZE clusters";
  int open = 0;
  while (open < MAX_JOBS && conn[open]) open++;
  bool ok = true;
  for (int i = 0; i < n && ok; i += open) {
    int sent = 0;
    for (; sent < open && i + sent < n; sent++)
      if (!PQsendQuery(conn[sent], stmts[i + sent])) {
        fprintf(stderr, "grappe: seed: analyze failed: %s", PQerrorMessage(conn[sent]));
        ok = false;
        break;
      }
    for (int j = 0; j < sent; j++) {
      PGresult *r = collect(conn[j], "analyze");
      ok = ok && r;
      PQclear(r);
    }
  }
  return ok;
}

/* Runs pieces (joined) with one number parameter; adds the rows it made to *count. */
static bool run_count(PGconn *pg, const char *what, const char *const *pieces, const char *param, long long *count) {
  char *sql = join_sql(pieces);
  const char *params[] = {param};
  PGresult *r = run(pg, what, sql, param ? 1 : 0, params);
  free(sql);
  if (!r) return false;
  *count += strtoll(PQcmdTuples(r), NULL, 10);
  PQclear(r);
  return true;
}

/* Indicators of the new clusters, then projects, events and their registrations. */
static bool make_activities(PGconn *pg, long nclusters, long nprojects, long nevents, struct totals *t, double t0) {
  char n[32];
  bool ok = true;
  if (nclusters > 0) {
    ok = run_count(pg, "inserting indicators", indicators_sql, NULL, &t->indicators);
    if (ok) fprintf(stderr, "seed: %lld indicators (%.1f s)\n", t->indicators, now_s() - t0);
  }
  if (ok && nprojects > 0) {
    snprintf(n, sizeof n, "%ld", nprojects);
    ok = run_count(pg, "inserting projects", projects_sql, n, &t->projects);
    if (ok) fprintf(stderr, "seed: %lld projects (%.1f s)\n", t->projects, now_s() - t0);
  }
  if (ok && nevents > 0) {
    snprintf(n, sizeof n, "%ld", nevents);
    PGresult *r = run(pg, "preparing events", events_table_sql, 0, NULL);
    ok = r != NULL;
    PQclear(r);
    const char *const reg[] = {registrations_sql, NULL};
    ok = ok && run_count(pg, "inserting events", events_sql, n, &t->events) &&
         run_count(pg, "inserting registrations", reg, NULL, &t->registrations);
    if (ok) fprintf(stderr, "seed: %lld events, %lld registrations (%.1f s)\n", t->events, t->registrations, now_s() - t0);
  }
  return ok;
}

static int seed_run(PGconn **conn, int jobs, const char *url, long nclusters, long ncompanies, long nprojects,
                    long nevents, long seed, bool seeded) {
  double t0 = now_s();
  struct totals t = {0}, before = {0};
  char *setup = join_sql(setup_sql);
  long long schema = run_number(conn[0], "reading the schema",
                                "SELECT (to_regclass('public.memberships') IS NOT NULL"
                                " AND to_regprocedure('public.grappe_unaccent(text)') IS NOT NULL)::int", 0, NULL);
  if (schema == 0) fprintf(stderr, "grappe: seed: the database has no Grappe schema yet: run grappe migrate first\n");
  bool ok = schema > 0 && session_setup(conn[0], setup, -1);
  if (ok && !seeded) {
    seed = (long)run_number(conn[0], "drawing a seed", "SELECT floor(random() * 2147483648)::bigint", 0, NULL);
    ok = seed >= 0;
    if (ok) fprintf(stderr, "seed: random seed %ld\n", seed);
  }
  ok = ok && set_seed(conn[0], seed);
  if (ok) {
    PGresult *r = run(conn[0], "counting", "SELECT (SELECT count(*) FROM clusters), (SELECT count(*) FROM companies)", 0, NULL);
    ok = r != NULL;
    if (ok) {
      before.clusters = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
      before.companies = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
    }
    PQclear(r);
  }

  if (ok && nclusters > 0) ok = make_clusters(conn[0], nclusters, before.clusters, &t, t0);
  if (ok && ncompanies > 0) {
    if (nclusters == 0) {
      PGresult *r = run(conn[0], "reading the clusters", pool_existing_sql, 0, NULL);
      ok = r != NULL;
      PQclear(r);
    }
    /* Positions start after the companies already there, from a random origin: a second run
       with the same seed continues where the first one stopped instead of repeating it. */
    long long pos = -1;
    if (ok) {
      pos = run_number(conn[0], "choosing SIRENs", "SELECT floor(random() * 70000000)::bigint", 0, NULL);
      ok = pos >= 0;
      pos += before.companies;
    }
    if (ok && jobs > 1) {
      for (int j = 1; j < jobs && ok; j++) {
        ok = (conn[j] = db_connect_cli(url)) != NULL &&
             session_setup(conn[j], setup, (long)((seed + 1000003LL * j) % 2147483648LL));
      }
      ok = ok && share_pool(conn, jobs);
    }
    for (int j = 0; j < jobs && ok; j++) {
      long long slots = run_number(conn[j], "preparing memberships", pool_finish_sql, 0, NULL);
      if (slots == 0) fprintf(stderr, "grappe: seed: no cluster for the companies to join: add some with --clusters\n");
      ok = slots > 0;
    }
    ok = ok && make_companies(conn, jobs, ncompanies, pos, seed, &t, t0);
  }
  free(setup);
  ok = ok && make_activities(conn[0], nclusters, nprojects, nevents, &t, t0);
  ok = ok && analyze(conn, &before, &t);
  if (!ok) {
    fprintf(stderr, "grappe: seed: stopped; made until then: %lld clusters, %lld companies, %lld memberships\n",
            t.clusters, t.companies, t.memberships);
    return 1;
  }
  printf("seeded %lld clusters, %lld companies, %lld memberships, %lld indicators, %lld projects, %lld events, "
         "%lld registrations in %.1f s\n", t.clusters, t.companies, t.memberships, t.indicators, t.projects, t.events,
         t.registrations, now_s() - t0);
  if (t.companies < ncompanies) {
    fprintf(stderr, "grappe: seed: made %lld companies of %ld\n", t.companies, ncompanies);
    return 1;
  }
  return 0;
}

int seed_cli(int argc, char **argv, const char *database_url) {
  static const struct option opts[] = {
    {"clusters", required_argument, NULL, 'c'}, {"companies", required_argument, NULL, 'm'},
    {"random-seed", required_argument, NULL, 's'}, {"jobs", required_argument, NULL, 'j'},
    {"projects", required_argument, NULL, 'p'}, {"events", required_argument, NULL, 'e'},
    {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
  long nclusters = 0, ncompanies = 0, nprojects = 0, nevents = 0, seed = 0, jobs = DEFAULT_JOBS;
  bool given = false, seeded = false;
  int o;
  optind = 1;
  while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (o) {
    case 'c':
      if (!parse_long(optarg, 0, MAX_CLUSTERS, &nclusters)) {
        fprintf(stderr, "grappe: --clusters must be an integer from 0 to %ld\n", MAX_CLUSTERS);
        return 2;
      }
      given = true;
      break;
    case 'm':
      if (!parse_long(optarg, 0, MAX_COMPANIES, &ncompanies)) {
        fprintf(stderr, "grappe: --companies must be an integer from 0 to %ld\n", MAX_COMPANIES);
        return 2;
      }
      given = true;
      break;
    case 'p':
      if (!parse_long(optarg, 0, MAX_ACTIVITIES, &nprojects)) {
        fprintf(stderr, "grappe: --projects must be an integer from 0 to %ld\n", MAX_ACTIVITIES);
        return 2;
      }
      given = true;
      break;
    case 'e':
      if (!parse_long(optarg, 0, MAX_ACTIVITIES, &nevents)) {
        fprintf(stderr, "grappe: --events must be an integer from 0 to %ld\n", MAX_ACTIVITIES);
        return 2;
      }
      given = true;
      break;
    case 's':
      if (!parse_long(optarg, 0, 2147483647L, &seed)) {
        fprintf(stderr, "grappe: --random-seed must be an integer from 0 to 2147483647\n");
        return 2;
      }
      seeded = true;
      break;
    case 'j':
      if (!parse_long(optarg, 1, MAX_JOBS, &jobs)) {
        fprintf(stderr, "grappe: --jobs must be an integer from 1 to %d\n", MAX_JOBS);
        return 2;
      }
      break;
    case 'h': fputs(seed_help, stdout); return 0;
    default: fputs(seed_help, stderr); return 2;
    }
  }
  if (optind < argc) { fprintf(stderr, "grappe: unexpected argument '%s'\n", argv[optind]); return 2; }
  if (!given) { fprintf(stderr, "grappe: seed needs --clusters, --companies, --projects or --events\n%s", seed_help); return 2; }
  if (!database_url) { fprintf(stderr, "grappe: GRAPPE_DATABASE_URL is not set\n"); return 2; }
  PGconn *conn[MAX_JOBS] = {NULL};
  if (!(conn[0] = db_connect_cli(database_url))) return 1;
  int rc = seed_run(conn, (int)jobs, database_url, nclusters, ncompanies, nprojects, nevents, seed, seeded);
  for (int j = 0; j < MAX_JOBS; j++) PQfinish(conn[j]);
  return rc;
}
