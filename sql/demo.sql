-- Demo data for Grappe: a handful of plausible French business clusters.
-- The organisations, SIRENs, addresses, e-mails and phone numbers are invented
-- (web sites use the reserved .example domain; phone numbers are in the ranges
-- that ARCEP keeps for fiction). Commune codes, postal codes and coordinates are real.
-- Idempotent: running it twice changes nothing. Fixed ids so that the README can
-- name them: c1000000-0000-4000-8000-0000000000NN.
--
-- The calendar moves with the day of loading, so that the demo (and the README's examples)
-- works on any day. It is written below as seen from the week of Monday 30 November 2026:
-- pg_temp.demo_at() moves an event's local time by whole weeks to the week of loading
-- (weekdays and hours stay as written), pg_temp.demo_on() moves a project's dates by whole
-- months to the month of loading, and the indicators are declared for the three years before
-- the year of loading. The day of loading is today in Paris, or the date in the setting
-- grappe.demo_today when it is set (PGOPTIONS='-c grappe.demo_today=2031-02-17'; the tests
-- use it to load the demo as on other days). Loading again later inserts nothing that is
-- already there: the first load dates the demo (only a new year adds that year's indicators).
CREATE FUNCTION pg_temp.demo_today() RETURNS date
  LANGUAGE sql STABLE
  AS $$ SELECT coalesce(nullif(current_setting('grappe.demo_today', true), '')::date,
                        (now() AT TIME ZONE 'Europe/Paris')::date) $$;
CREATE FUNCTION pg_temp.demo_at(local timestamp, zone text DEFAULT 'Europe/Paris') RETURNS timestamptz
  LANGUAGE sql STABLE
  AS $$ SELECT (local + (date_trunc('week', pg_temp.demo_today())::date - date '2026-11-30') * interval '1 day')
               AT TIME ZONE zone $$;
-- (the day after, moved, less a day: the end of a month stays the end of a month)
CREATE FUNCTION pg_temp.demo_on(day date) RETURNS date
  LANGUAGE sql STABLE
  AS $$ SELECT (day + 1 + make_interval(months => ((extract(year FROM t) - 2026) * 12 + extract(month FROM t) - 11)::int))::date - 1
        FROM (SELECT pg_temp.demo_today() AS t) n $$;

INSERT INTO clusters (id, name, acronym, kind, description, sectors, siren, founded_on, website,
                      email, phone, address, region_codes, department_codes, location, staff_fte,
                      maturity, status, labels)
VALUES
(
  'c1000000-0000-4000-8000-000000000001', 'Mont-Blanc Industries', 'MBI', 'cluster',
  'Le cluster des industriels de la vallée de l''Arve, berceau du décolletage : usinage de précision, mécatronique et sous-traitance pour l''automobile, le médical et l''aéronautique. Il anime achats groupés, formations et missions export pour ses adhérents.',
  '{decolletage,mecanique,mecatronique,usinage}', '787709146', '2006-09-14',
  'https://www.mont-blanc-industries.example', 'contact@mont-blanc-industries.example', '+33 4 65 71 00 01',
  '{"street": "137 avenue des Glières", "postal_code": "74300", "city": "Cluses", "commune_code": "74081"}',
  '{84}', '{74}', '{"lat": 46.0606, "lon": 6.5795}', 7.5, 'mature', 'active',
  '[{"scheme": "esca", "level": "silver", "awarded_on": "2021-04-20", "valid_until": "2023-04-20"},
    {"scheme": "esca", "level": "gold", "awarded_on": "2025-06-17", "valid_until": "2027-06-17"}]'
),
(
  'c1000000-0000-4000-8000-000000000002', 'Pôle Lunetier du Haut-Jura', 'PLHJ', 'grappe_entreprises',
  'Grappe d''entreprises de la lunetterie née autour de Morez : fabricants de montures, sous-traitants du traitement de surface et de la plasturgie, designers. Elle porte une marque collective et un plan de formation aux métiers de la lunette.',
  '{lunetterie,optique,plasturgie,traitement-de-surface}', '505341651', '2009-02-03',
  'https://www.lunetiers-haut-jura.example', 'contact@lunetiers-haut-jura.example', '+33 3 53 01 00 02',
  '{"street": "8 quai Aimé Lamy", "postal_code": "39400", "city": "Hauts de Bienne", "commune_code": "39368"}',
  '{27,84}', '{39,01}', '{"lat": 46.5225, "lon": 6.0250}', 3.0, 'mature', 'active',
  '[{"scheme": "esca", "level": "silver", "awarded_on": "2025-03-11", "valid_until": "2027-03-11"}]'
),
(
  'c1000000-0000-4000-8000-000000000003', 'Landes Forêt Industries', 'LFI', 'grappe_entreprises',
  'Réseau des scieries, fabricants d''emballages, de panneaux et de maisons à ossature bois du massif des Landes de Gascogne. La grappe structure la filière bois autour du pin maritime, de la construction bas carbone et de la valorisation des connexes.',
  '{bois,foret,construction-bois,emballage}', '443828967', '2011-10-06',
  'https://www.landes-foret-industries.example', 'contact@landes-foret-industries.example', '+33 5 36 49 00 03',
  '{"street": "24 rue du Général Lasserre", "postal_code": "40000", "city": "Mont-de-Marsan", "commune_code": "40192"}',
  '{75}', '{40,33,47}', '{"lat": 43.8902, "lon": -0.4998}', 4.0, 'structured', 'active',
  '[{"scheme": "esca", "level": "bronze", "awarded_on": "2024-11-05", "valid_until": "2026-11-05"}]'
),
(
  'c1000000-0000-4000-8000-000000000004', 'Aéro Garonne Pyrénées', 'AGP', 'pole_competitivite',
  'Pôle de compétitivité de l''aéronautique, du spatial et des systèmes embarqués entre Toulouse et Bordeaux. Il labellise des projets de R&D collaboratifs entre grands donneurs d''ordres, PME et laboratoires, et accompagne la transition vers l''avion bas carbone.',
  '{aeronautique,spatial,systemes-embarques,drones}', '786553719', '2005-07-12',
  'https://www.aero-garonne-pyrenees.example', 'contact@aero-garonne-pyrenees.example', '+33 5 36 49 00 04',
  '{"street": "2 avenue Édouard Belin", "postal_code": "31400", "city": "Toulouse", "commune_code": "31555"}',
  '{76,75}', '{31,65,81,82,33,64}', '{"lat": 43.6045, "lon": 1.4440}', 32.0, 'mature', 'active',
  '[{"scheme": "etat_pole", "level": null, "awarded_on": "2023-01-01", "valid_until": "2026-12-31"},
    {"scheme": "esca", "level": "gold", "awarded_on": "2025-01-28", "valid_until": "2027-01-28"}]'
),
(
  'c1000000-0000-4000-8000-000000000005', 'Oyonnax Plastics Vallée', 'OPV', 'cluster',
  'Le cluster de la plasturgie du Haut-Bugey : injection, moules et outillages, recyclage des polymères. Il mutualise une veille réglementaire, des achats de matière et des formations pour les transformateurs de la vallée.',
  '{plasturgie,moules,outillage,recyclage}', '799315965', '2004-05-18',
  'https://www.oyonnax-plastics-vallee.example', 'contact@oyonnax-plastics-vallee.example', '+33 4 65 71 00 05',
  '{"street": "85 rue Anatole France", "postal_code": "01100", "city": "Oyonnax", "commune_code": "01283"}',
  '{84,27}', '{01,39}', '{"lat": 46.2564, "lon": 5.6556}', 6.0, 'mature', 'active',
  '[{"scheme": "esca", "level": "bronze", "awarded_on": "2017-09-26", "valid_until": "2019-09-26"},
    {"scheme": "esca", "level": "silver", "awarded_on": "2024-10-01", "valid_until": "2026-10-01"}]'
),
(
  'c1000000-0000-4000-8000-000000000006', 'Parfums & Cosmétiques Vallée', 'PCV', 'pole_competitivite',
  'Pôle de compétitivité de la parfumerie et de la cosmétique, de Chartres à Orléans et Tours. Il fédère marques, façonniers, fournisseurs d''ingrédients et de packaging et laboratoires autour de l''innovation cosmétique et des produits plus sûrs.',
  '{cosmetique,parfumerie,chimie,packaging}', '774854061', '1994-11-22',
  'https://www.parfums-cosmetiques-vallee.example', 'contact@parfums-cosmetiques-vallee.example', '+33 2 61 91 00 06',
  '{"street": "1 place de la Cathédrale", "postal_code": "28000", "city": "Chartres", "commune_code": "28085"}',
  '{24,28,11}', '{28,45,37,41,27,78}', '{"lat": 48.4469, "lon": 1.4892}', 25.0, 'mature', 'active',
  '[{"scheme": "etat_pole", "level": null, "awarded_on": "2023-01-01", "valid_until": "2026-12-31"},
    {"scheme": "esca", "level": "gold", "awarded_on": "2024-06-04", "valid_until": "2026-06-04"}]'
),
(
  'c1000000-0000-4000-8000-000000000007', 'Nord Textiles Innovants', 'NTI', 'cluster',
  'Cluster du textile et de l''habillement de la métropole lilloise et du Cambrésis : textiles techniques, fibres recyclées, relocalisation de la confection. Il accompagne les filateurs et tisseurs vers l''économie circulaire.',
  '{textile,textiles-techniques,mode,recyclage}', '484027529', '2012-03-29',
  'https://www.nord-textiles-innovants.example', 'contact@nord-textiles-innovants.example', '+33 3 53 01 00 07',
  '{"street": "41 boulevard du Général Leclerc", "postal_code": "59100", "city": "Roubaix", "commune_code": "59512"}',
  '{32}', '{59,62}', '{"lat": 50.6942, "lon": 3.1746}', 5.5, 'structured', 'active',
  '[{"scheme": "esca", "level": "bronze", "awarded_on": "2025-09-09", "valid_until": "2027-09-09"}]'
),
(
  'c1000000-0000-4000-8000-000000000008', 'Mer Atlantique Innovation', 'MAI', 'pole_competitivite',
  'Pôle de compétitivité de l''économie maritime à la pointe de la Bretagne : construction et réparation navales, énergies marines renouvelables, biotechnologies marines et sûreté maritime. Il relie chantiers, armateurs, laboratoires et ports de la façade atlantique.',
  '{maritime,naval,energies-marines,biotechnologies-marines}', '832239578', '2005-07-12',
  'https://www.mer-atlantique-innovation.example', 'contact@mer-atlantique-innovation.example', '+33 2 61 91 00 08',
  '{"street": "40 quai de la Douane", "postal_code": "29200", "city": "Brest", "commune_code": "29019"}',
  '{53,52}', '{29,22,56,35,44,85}', '{"lat": 48.3904, "lon": -4.4861}', 18.5, 'mature', 'active',
  '[{"scheme": "etat_pole", "level": null, "awarded_on": "2023-01-01", "valid_until": "2026-12-31"}]'
),
(
  'c1000000-0000-4000-8000-000000000009', 'Agro Ouest Innovation', 'AOI', 'cluster',
  'Cluster agroalimentaire et végétal du Grand Ouest, basé à Angers : transformation laitière et végétale, semences, emballages alimentaires. Il organise des ateliers d''innovation produit et des achats mutualisés d''énergie pour les PME.',
  '{agroalimentaire,vegetal,emballage,nutrition}', '519569974', '2010-01-15',
  'https://www.agro-ouest-innovation.example', 'contact@agro-ouest-innovation.example', '+33 2 61 91 00 09',
  '{"street": "16 boulevard du Roi René", "postal_code": "49100", "city": "Angers", "commune_code": "49007"}',
  '{52,53}', '{49,53,72,44,85,35}', '{"lat": 47.4784, "lon": -0.5632}', 8.0, 'structured', 'active',
  '[{"scheme": "esca", "level": "silver", "awarded_on": "2025-02-18", "valid_until": "2027-02-18"}]'
),
(
  'c1000000-0000-4000-8000-000000000010', 'Paris Région Numérique', 'PRN', 'pole_competitivite',
  'Pôle de compétitivité du numérique en Île-de-France : logiciels, intelligence artificielle, contenus et médias, cybersécurité. Il accompagne start-up et PME du financement de l''innovation jusqu''à l''international.',
  '{numerique,logiciel,intelligence-artificielle,medias}', '826168072', '2006-02-07',
  'https://www.paris-region-numerique.example', 'contact@paris-region-numerique.example', '+33 1 99 00 00 10',
  '{"street": "14 rue Alexandre Parodi", "postal_code": "75010", "city": "Paris", "commune_code": "75056"}',
  '{11}', '{75,77,78,91,92,93,94,95}', '{"lat": 48.8566, "lon": 2.3522}', 40.0, 'mature', 'active',
  '[{"scheme": "etat_pole", "level": null, "awarded_on": "2023-01-01", "valid_until": "2026-12-31"},
    {"scheme": "esca", "level": "gold", "awarded_on": "2025-05-20", "valid_until": "2027-05-20"}]'
),
(
  'c1000000-0000-4000-8000-000000000011', 'Alpes Sports Outdoor', 'ASO', 'grappe_entreprises',
  'Grappe d''entreprises des sports de montagne et de plein air autour du lac d''Annecy : ski, escalade, randonnée, vélo, textile technique. Elle anime une veille des marchés de l''outdoor et un programme d''éco-conception des équipements.',
  '{sports-outdoor,montagne,textile,glisse}', '792990830', '2010-06-22',
  'https://www.alpes-sports-outdoor.example', 'contact@alpes-sports-outdoor.example', '+33 4 65 71 00 11',
  '{"street": "3 avenue du Rhône", "postal_code": "74000", "city": "Annecy", "commune_code": "74010"}',
  '{84,93}', '{74,73,38,05}', '{"lat": 45.8992, "lon": 6.1294}', 9.0, 'structured', 'active',
  '[{"scheme": "esca", "level": "silver", "awarded_on": "2024-12-10", "valid_until": "2026-12-10"}]'
),
(
  'c1000000-0000-4000-8000-000000000012', 'Cluster Nautique Atlantique', 'CNA', 'cluster',
  'Les chantiers de construction de bateaux de plaisance, voiliers et catamarans, et leurs équipementiers entre La Rochelle et la Vendée. Le cluster porte des projets sur les composites biosourcés, la déconstruction des bateaux et l''emploi dans le nautisme.',
  '{nautisme,construction-navale,composites,plaisance}', '448816496', '2013-04-09',
  'https://www.cluster-nautique-atlantique.example', 'contact@cluster-nautique-atlantique.example', '+33 5 36 49 00 12',
  '{"street": "Avenue de la Capitainerie, Port des Minimes", "postal_code": "17000", "city": "La Rochelle", "commune_code": "17300"}',
  '{75,52}', '{17,85}', '{"lat": 46.1603, "lon": -1.1511}', 3.5, 'structured', 'active',
  '[]'
),
(
  'c1000000-0000-4000-8000-000000000013', 'SPL Équipements Viti-Vinicoles de Champagne', 'EVVC', 'spl',
  'Système productif local des fabricants de matériel viticole et vinicole de Champagne : pressoirs, cuverie inox, enjambeurs et robots de vigne. Il organise une présence commune sur les salons et des essais au vignoble.',
  '{viticulture,machinisme,agroequipement,vin}', '787176957', '2001-12-04',
  'https://www.spl-viti-champagne.example', 'contact@spl-viti-champagne.example', '+33 3 53 01 00 13',
  '{"street": "7 avenue de Champagne", "postal_code": "51200", "city": "Épernay", "commune_code": "51230"}',
  '{44,32}', '{51,10,02}', '{"lat": 49.0405, "lon": 3.9590}', 2.0, 'structured', 'active',
  '[{"scheme": "other", "level": null, "awarded_on": "2022-03-15", "valid_until": "2027-03-15"}]'
),
(
  'c1000000-0000-4000-8000-000000000014', 'SPL Horlogerie du Haut-Doubs', 'SPLHD', 'spl',
  'Système productif local créé à la fin des années 1990 par les ateliers d''horlogerie et de microtechnique du val de Morteau. Dissous en 2014 ; ses actions ont été reprises par les réseaux régionaux de la microtechnique.',
  '{horlogerie,microtechniques,mecanique}', '416914448', '1999-06-15',
  NULL, NULL, NULL,
  '{"street": "2 place de l''Hôtel de Ville", "postal_code": "25500", "city": "Morteau", "commune_code": "25411"}',
  '{27}', '{25}', '{"lat": 47.0575, "lon": 6.6067}', 0, 'mature', 'dissolved',
  '[]'
),
(
  'c1000000-0000-4000-8000-000000000015', 'Grappe Éco-Construction Corse', 'GECC', 'grappe_entreprises',
  'Grappe d''entreprises du bâtiment durable en Corse : isolants biosourcés, bois de pin laricio, rénovation énergétique. En sommeil depuis 2023, faute d''animateur, elle attend une reprise par la chambre de métiers.',
  '{construction,eco-construction,bois,renovation-energetique}', '802548990', '2018-05-28',
  'https://www.eco-construction-corse.example', 'contact@eco-construction-corse.example', '+33 4 65 71 00 15',
  '{"street": "12 cours Napoléon", "postal_code": "20000", "city": "Ajaccio", "commune_code": "2A004"}',
  '{94}', '{2A,2B}', '{"lat": 41.9192, "lon": 8.7386}', 0.5, 'proof_of_concept', 'dormant',
  '[]'
),
(
  'c1000000-0000-4000-8000-000000000016', 'Cluster Énergies Océan Indien', 'CEOI', 'cluster',
  'Jeune cluster réunionnais des énergies renouvelables en milieu insulaire : solaire, stockage, froid et réseaux électriques isolés. Il prépare ses premiers projets collectifs avec les installateurs et l''université.',
  '{energies-renouvelables,solaire,stockage,insularite}', '882353899', '2024-09-03',
  'https://www.energies-ocean-indien.example', 'contact@energies-ocean-indien.example', '+262 262 00 00 16',
  '{"street": "5 rue de Paris", "postal_code": "97400", "city": "Saint-Denis", "commune_code": "97411"}',
  '{04}', '{974}', '{"lat": -20.8821, "lon": 55.4481}', 1.5, 'emerging', 'active',
  '[]'
),
(
  'c1000000-0000-4000-8000-000000000017', 'Vallée du Verre de la Bresle', 'VVB', 'other',
  'Association des verriers et décorateurs de la vallée de la Bresle, premier pôle mondial du flaconnage de luxe pour la parfumerie. Elle défend un savoir-faire verrier et forme aux métiers du verre, du moule au parachèvement.',
  '{verre,flaconnage,parfumerie,decoration}', '498364074', '2002-10-08',
  'https://www.vallee-du-verre-bresle.example', 'contact@vallee-du-verre-bresle.example', '+33 2 61 91 00 17',
  '{"street": "Rue Jean Jaurès", "postal_code": "76260", "city": "Eu", "commune_code": "76255"}',
  '{28,32}', '{76,80,60}', '{"lat": 50.0478, "lon": 1.4200}', 2.5, 'mature', 'active',
  '[{"scheme": "esca", "level": "bronze", "awarded_on": "2025-10-14", "valid_until": "2027-10-14"}]'
)
ON CONFLICT (id) DO NOTHING;

-- Member companies of the demo clusters: c2000000-0000-4000-8000-0000000000NN.
-- Company names, SIRENs, SIRETs, streets, e-mails and phone numbers are invented (valid Luhn
-- keys; one establishment of La Poste, whose SIRETs follow their own rule; a few companies
-- without SIRET). NAF codes fit the activity; communes, postal codes, INSEE codes and
-- coordinates are real (coordinates are those of the commune).
INSERT INTO companies (id, name, legal_name, siren, siret, naf_code, employees, size, founded_on,
                       website, email, phone, address, department_code, region_code, location,
                       description)
VALUES
(
  'c2000000-0000-4000-8000-000000000001', 'Décolletage du Giffre', 'DÉCOLLETAGE DU GIFFRE SAS',
  '754255503', '75425550300015', '25.62A', 48, 'pme', '1962-04-02',
  'https://www.decolletage-du-giffre.example', 'contact@decolletage-du-giffre.example', '+33 4 65 71 10 01',
  '{"street": "412 avenue de la Sardagne", "postal_code": "74970", "city": "Marignier", "commune_code": "74164"}', '74', '84', '{"lat": 46.0894, "lon": 6.4986}',
  'Décolletage de pièces de précision en laiton et en acier inoxydable pour la connectique et l''automobile, sur tours multibroches à cames et à commande numérique.'
),
(
  'c2000000-0000-4000-8000-000000000002', 'Usinage Arve Précision', 'USINAGE ARVE PRÉCISION SARL',
  '449106541', '44910654100013', '25.62B', 27, 'pme', '1988-10-17',
  'https://www.usinage-arve-precision.example', 'contact@usinage-arve-precision.example', '+33 4 65 71 10 02',
  '{"street": "95 rue des Glaciers, ZI des Valignons", "postal_code": "74950", "city": "Scionzier", "commune_code": "74264"}', '74', '84', '{"lat": 46.0581, "lon": 6.5517}',
  'Usinage cinq axes de pièces complexes en titane et en Inconel pour l''aéronautique et les implants médicaux. Atelier certifié EN 9100 et ISO 13485.'
),
(
  'c2000000-0000-4000-8000-000000000003', 'Mécanique de Précision du Faucigny', 'MÉCANIQUE DE PRÉCISION DU FAUCIGNY SA',
  '891210353', '89121035300027', '25.62A', 410, 'eti', '1947-05-12',
  'https://www.mecanique-de-precision-du-faucigny.example', 'contact@mecanique-de-precision-du-faucigny.example', '+33 4 65 71 10 03',
  '{"street": "1200 avenue des Lacs", "postal_code": "74300", "city": "Cluses", "commune_code": "74081"}', '74', '84', '{"lat": 46.0606, "lon": 6.5795}',
  'Décolleteur de la vallée de l''Arve : décolletage de haute précision, en grande série, de pièces pour l''injection, le freinage et les capteurs automobiles.'
),
(
  'c2000000-0000-4000-8000-000000000004', 'Ateliers du Bargy', 'ATELIERS DU BARGY SAS',
  '334466372', '33446637200011', '25.62A', 64, 'pme', '1975-02-24',
  'https://www.ateliers-du-bargy.example', 'contact@ateliers-du-bargy.example', '+33 4 65 71 10 04',
  '{"street": "38 rue des Perrasses", "postal_code": "74300", "city": "Thyez", "commune_code": "74278"}', '74', '84', '{"lat": 46.0828, "lon": 6.5364}',
  'Décolletage de vis, d''entretoises et de composants d''implants orthopédiques en titane, avec contrôle dimensionnel à 100 % et salle blanche de conditionnement.'
),
(
  'c2000000-0000-4000-8000-000000000005', 'Marnaz Tournage Automatique', 'MARNAZ TOURNAGE AUTOMATIQUE SARL',
  '756309456', '75630945600017', '25.62A', 12, 'pme', '1996-09-02',
  'https://www.marnaz-tournage-automatique.example', 'contact@marnaz-tournage-automatique.example', '+33 4 65 71 10 05',
  '{"street": "17 impasse des Trois Fontaines", "postal_code": "74460", "city": "Marnaz", "commune_code": "74169"}', '74', '84', '{"lat": 46.0578, "lon": 6.5308}',
  'Petit atelier de décolletage sur tours automatiques à poupée mobile, spécialisé dans les petites et moyennes séries de pièces en laiton pour la robinetterie.'
),
(
  'c2000000-0000-4000-8000-000000000006', 'Traitements de Surface des Aravis', 'TRAITEMENTS DE SURFACE DES ARAVIS SAS',
  '563382605', '56338260500027', '25.61Z', 35, 'pme', '1983-06-13',
  'https://www.traitements-de-surface-des-aravis.example', 'contact@traitements-de-surface-des-aravis.example', '+33 4 65 71 10 06',
  '{"street": "260 rue du Foron", "postal_code": "74950", "city": "Scionzier", "commune_code": "74264"}', '74', '84', '{"lat": 46.0581, "lon": 6.5517}',
  'Traitements électrolytiques (nickelage, zingage, passivation) et dégraissage de pièces décolletées pour les sous-traitants de la vallée.'
),
(
  'c2000000-0000-4000-8000-000000000007', 'Outillages Carbure du Mont-Blanc', 'OUTILLAGES CARBURE DU MONT-BLANC SARL',
  '960586519', '96058651900014', '25.73B', 8, 'tpe', '2004-03-01',
  'https://www.outillages-carbure-du-mont-blanc.example', 'contact@outillages-carbure-du-mont-blanc.example', '+33 4 65 71 10 07',
  '{"street": "52 route de Balme", "postal_code": "74300", "city": "Magland", "commune_code": "74159"}', '74', '84', '{"lat": 46.0206, "lon": 6.6222}',
  'Fabrication et réaffûtage d''outils coupants en carbure monobloc pour les décolleteurs et les fabricants de moules.'
),
(
  'c2000000-0000-4000-8000-000000000008', 'Mécatronique Léman-Arve', 'MÉCATRONIQUE LÉMAN-ARVE SAS',
  '867501991', '86750199100014', '28.99B', 86, 'pme', '2003-11-03',
  'https://www.mecatronique-leman-arve.example', 'contact@mecatronique-leman-arve.example', '+33 4 65 71 10 08',
  '{"street": "140 rue des Bouvreuils, parc d''activités des Bordets", "postal_code": "74130", "city": "Bonneville", "commune_code": "74042"}', '74', '84', '{"lat": 46.0781, "lon": 6.4008}',
  'Conception et fabrication de machines d''assemblage et de contrôle automatisées pour le décolletage, l''horlogerie et le médical.'
),
(
  'c2000000-0000-4000-8000-000000000009', 'Décolletages Réunis de Cluses', 'DÉCOLLETAGES RÉUNIS DE CLUSES SA',
  '404538050', '40453805000026', '25.62A', 1180, 'eti', '1931-03-01',
  'https://www.decolletages-reunis-de-cluses.example', 'contact@decolletages-reunis-de-cluses.example', '+33 4 65 71 10 09',
  '{"street": "75 avenue de la Libération", "postal_code": "74300", "city": "Cluses", "commune_code": "74081"}', '74', '84', '{"lat": 46.0606, "lon": 6.5795}',
  'Groupe familial de décolletage et d''usinage, fournisseur de rang 1 de l''automobile et du médical, avec des usines en Haute-Savoie et en Europe centrale.'
),
(
  'c2000000-0000-4000-8000-000000000010', 'Montures du Risoux', 'MONTURES DU RISOUX SAS',
  '980335582', '98033558200014', '32.50B', 58, 'pme', '1954-09-20',
  'https://www.montures-du-risoux.example', 'contact@montures-du-risoux.example', '+33 3 53 01 10 10',
  '{"street": "21 rue de la Scie", "postal_code": "39220", "city": "Bois-d''Amont", "commune_code": "39059"}', '39', '27', '{"lat": 46.5333, "lon": 6.1378}',
  'Fabricant de montures en acétate de cellulose et en corne, taillées et polies à la main dans le Haut-Jura, vendues sous sa marque et pour des créateurs.'
),
(
  'c2000000-0000-4000-8000-000000000011', 'Maison Bienne Lunettes', 'MAISON BIENNE LUNETTES SARL',
  '860821446', '86082144600017', '32.50B', 19, 'pme', '1978-04-10',
  'https://www.maison-bienne-lunettes.example', 'contact@maison-bienne-lunettes.example', '+33 3 53 01 10 11',
  '{"street": "63 rue de la République", "postal_code": "39400", "city": "Hauts de Bienne", "commune_code": "39368"}', '39', '27', '{"lat": 46.5225, "lon": 6.0250}',
  'Atelier de lunetterie métal à Morez : montures en titane et en maillechort, soudure laser et finitions galvaniques.'
),
(
  'c2000000-0000-4000-8000-000000000012', 'Revêtements Optiques de Morbier', 'RÉVÊTEMENTS OPTIQUES DE MORBIER SAS',
  '397499211', '39749921100027', '25.61Z', 41, 'pme', '1991-01-14',
  'https://www.revetements-optiques-de-morbier.example', 'contact@revetements-optiques-de-morbier.example', '+33 3 53 01 10 12',
  '{"street": "8 route de Bellefontaine", "postal_code": "39400", "city": "Morbier", "commune_code": "39367"}', '39', '27', '{"lat": 46.5369, "lon": 6.0153}',
  'Traitements de surface des montures : dorure, palladiage, vernis et dépôts PVD, pour les lunetiers français et italiens.'
),
(
  'c2000000-0000-4000-8000-000000000013', 'Créations Lunetières des Rousses', 'CRÉATIONS LUNETIÈRES DES ROUSSES SAS',
  '455776013', '45577601300019', '32.50B', 7, 'tpe', '2015-05-04',
  'https://www.creations-lunetieres-des-rousses.example', 'contact@creations-lunetieres-des-rousses.example', '+33 3 53 01 10 13',
  '{"street": "176 rue Pasteur", "postal_code": "39220", "city": "Les Rousses", "commune_code": "39470"}', '39', '27', '{"lat": 46.4844, "lon": 6.0639}',
  'Jeune maison de création de lunettes solaires et optiques en bois et en matériaux biosourcés, dessinées et assemblées aux Rousses.'
),
(
  'c2000000-0000-4000-8000-000000000014', 'Charnières et Composants du Jura', 'CHARNIÈRES ET COMPOSANTS DU JURA SA',
  '532796224', '53279622400014', '32.50B', 74, 'pme', '1969-07-07',
  'https://www.charnieres-et-composants-du-jura.example', 'contact@charnieres-et-composants-du-jura.example', '+33 3 53 01 10 14',
  '{"street": "2 chemin du Moulin", "postal_code": "39400", "city": "Longchaumois", "commune_code": "39297"}', '39', '27', '{"lat": 46.4625, "lon": 5.9303}',
  'Fabrication de charnières flexibles, de vis et de petits composants décolletés pour les montures de lunettes.'
),
(
  'c2000000-0000-4000-8000-000000000015', 'Scierie des Grands Pins', 'SCIERIE DES GRANDS PINS SAS',
  '590807517', '59080751700024', '16.10A', 85, 'pme', '1958-03-17',
  'https://www.scierie-des-grands-pins.example', 'contact@scierie-des-grands-pins.example', '+33 5 36 49 10 15',
  '{"street": "Route de Sabres", "postal_code": "40110", "city": "Morcenx-la-Nouvelle", "commune_code": "40197"}', '40', '75', '{"lat": 44.0353, "lon": -0.9114}',
  'Scierie de pin maritime : sciages pour la palette, le coffrage et la charpente, avec séchoirs et ligne de rabotage.'
),
(
  'c2000000-0000-4000-8000-000000000016', 'Scierie du Marensin', 'SCIERIE DU MARENSIN SARL',
  '656140530', '65614053000014', '16.10A', 23, 'pme', '1936-11-02',
  'https://www.scierie-du-marensin.example', 'contact@scierie-du-marensin.example', '+33 5 36 49 10 16',
  '{"street": "445 route de Léon", "postal_code": "40260", "city": "Castets", "commune_code": "40075"}', '40', '75', '{"lat": 43.8817, "lon": -1.1461}',
  'Scierie familiale de pin maritime spécialisée dans les lambris, les parquets et les bardages, traités en autoclave sur place.'
),
(
  'c2000000-0000-4000-8000-000000000017', 'Scierie de la Haute Lande', 'SCIERIE DE LA HAUTE LANDE SAS',
  '435269154', '43526915400017', '16.10A', 46, 'pme', '1972-06-26',
  'https://www.scierie-de-la-haute-lande.example', 'contact@scierie-de-la-haute-lande.example', '+33 5 36 49 10 17',
  '{"street": "Quartier Pouy", "postal_code": "40630", "city": "Sabres", "commune_code": "40246"}', '40', '75', '{"lat": 44.1478, "lon": -0.7444}',
  'Sciage de gros bois de pin maritime et production de bois de structure classé mécaniquement pour la construction.'
),
(
  'c2000000-0000-4000-8000-000000000018', 'Scierie et Caisserie de Mimizan', 'SCIERIE ET CAISSERIE DE MIMIZAN SAS',
  '756419065', '75641906500021', '16.10A', 17, 'pme', '1949-04-11',
  'https://www.scierie-et-caisserie-de-mimizan.example', 'contact@scierie-et-caisserie-de-mimizan.example', '+33 5 36 49 10 18',
  '{"street": "12 avenue de Bayonne", "postal_code": "40200", "city": "Mimizan", "commune_code": "40184"}', '40', '75', '{"lat": 44.2014, "lon": -1.2292}',
  'Petite scierie côtière qui transforme le pin des Landes en caisses, en bois de jardin et en piquets.'
),
(
  'c2000000-0000-4000-8000-000000000019', 'Emballages Bois de Gascogne', 'EMBALLAGES BOIS DE GASCOGNE SAS',
  '778443689', '77844368900014', '16.24Z', 130, 'pme', '1967-10-09',
  'https://www.emballages-bois-de-gascogne.example', 'contact@emballages-bois-de-gascogne.example', '+33 5 36 49 10 19',
  '{"street": "ZA de Bérot", "postal_code": "40370", "city": "Rion-des-Landes", "commune_code": "40243"}', '40', '75', '{"lat": 43.9347, "lon": -0.9233}',
  'Fabrication de palettes, de caisses et d''emballages légers en pin maritime (bourriches, cagettes) pour l''agroalimentaire.'
),
(
  'c2000000-0000-4000-8000-000000000020', 'Panneaux Landais', 'PANNEAUX LANDAIS SA',
  '414483263', '41448326300011', '16.21Z', 310, 'eti', '1974-02-18',
  'https://www.panneaux-landais.example', 'contact@panneaux-landais.example', '+33 5 36 49 10 20',
  '{"street": "Avenue de l''Adour", "postal_code": "40400", "city": "Tartas", "commune_code": "40313"}', '40', '75', '{"lat": 43.8322, "lon": -0.8061}',
  'Production de panneaux de particules et de contreplaqués à partir des connexes de scierie et du bois de trituration du massif.'
),
(
  'c2000000-0000-4000-8000-000000000021', 'Maisons Bois du Val de l''Eyre', 'MAISONS BOIS DU VAL DE L''EYRE SARL',
  '653670307', '65367030700020', '16.23Z', 31, 'pme', '2008-09-01',
  'https://www.maisons-bois-du-val-de-leyre.example', 'contact@maisons-bois-du-val-de-leyre.example', '+33 5 36 49 10 21',
  '{"street": "9 allée des Pins, ZA du Lanot", "postal_code": "33830", "city": "Belin-Béliet", "commune_code": "33042"}', '33', '75', '{"lat": 44.4997, "lon": -0.7886}',
  'Conception et construction de maisons et d''extensions à ossature bois en pin des Landes, préfabriquées en atelier.'
),
(
  'c2000000-0000-4000-8000-000000000022', 'Aérostructures Garonne', 'AÉROSTRUCTURES GARONNE SA',
  '359259538', '35925953800015', '30.30Z', 6400, 'ge', '1970-01-05',
  'https://www.aerostructures-garonne.example', 'contact@aerostructures-garonne.example', '+33 5 36 49 10 22',
  '{"street": "1 rond-point Maurice Bellonte", "postal_code": "31770", "city": "Colomiers", "commune_code": "31149"}', '31', '76', '{"lat": 43.6114, "lon": 1.3353}',
  'Conception et fabrication d''éléments de fuselage, de nacelles et de pièces composites pour les avionneurs européens.'
),
(
  'c2000000-0000-4000-8000-000000000023', 'Bigorre Usinage Aéro', 'BIGORRE USINAGE AÉRO SAS',
  '776809097', '77680909700012', '25.62B', 142, 'pme', '1986-05-20',
  'https://www.bigorre-usinage-aero.example', 'contact@bigorre-usinage-aero.example', '+33 5 36 49 10 23',
  '{"street": "15 rue Morane-Saulnier", "postal_code": "65000", "city": "Tarbes", "commune_code": "65440"}', '65', '76', '{"lat": 43.2328, "lon": 0.0781}',
  'Usinage de pièces de trains d''atterrissage et de pièces de structure en aluminium et en titane, du prototype à la série.'
),
(
  'c2000000-0000-4000-8000-000000000024', 'Drones Occitanie Systèmes', 'DRONES OCCITANIE SYSTÈMES SAS',
  '981729007', '98172900700022', '30.30Z', 38, 'pme', '2016-02-15',
  'https://www.drones-occitanie-systemes.example', 'contact@drones-occitanie-systemes.example', '+33 5 36 49 10 24',
  '{"street": "10 avenue de l''Europe", "postal_code": "31400", "city": "Toulouse", "commune_code": "31555"}', '31', '76', '{"lat": 43.6045, "lon": 1.4440}',
  'Drones d''inspection d''ouvrages et de lignes électriques, et logiciels de traitement des images qu''ils recueillent.'
),
(
  'c2000000-0000-4000-8000-000000000025', 'Injection Plastique du Haut-Bugey', 'INJECTION PLASTIQUE DU HAUT-BUGEY SAS',
  '740643077', '74064307700010', '22.29A', 165, 'pme', '1959-09-14',
  'https://www.injection-plastique-du-haut-bugey.example', 'contact@injection-plastique-du-haut-bugey.example', '+33 4 65 71 10 25',
  '{"street": "47 rue de Bretouze", "postal_code": "01100", "city": "Oyonnax", "commune_code": "01283"}', '01', '84', '{"lat": 46.2564, "lon": 5.6556}',
  'Pièces techniques injectées en polymères hautes performances pour l''automobile, l''électroménager et la connectique.'
),
(
  'c2000000-0000-4000-8000-000000000026', 'Moules et Outillages de Bellignat', 'MOULES ET OUTILLAGES DE BELLIGNAT SARL',
  '522460294', '52246029400013', '25.73A', 28, 'pme', '1977-03-28',
  'https://www.moules-et-outillages-de-bellignat.example', 'contact@moules-et-outillages-de-bellignat.example', '+33 4 65 71 10 26',
  '{"street": "6 rue du Nant", "postal_code": "01100", "city": "Bellignat", "commune_code": "01031"}', '01', '84', '{"lat": 46.2486, "lon": 5.6292}',
  'Conception et fabrication de moules d''injection multi-empreintes et de moules bi-matière, et maintenance d''outillages.'
),
(
  'c2000000-0000-4000-8000-000000000027', 'Arbent Plastiques Optiques', 'ARBENT PLASTIQUES OPTIQUES SAS',
  '305241853', '30524185300020', '22.29A', 52, 'pme', '1988-11-21',
  'https://www.arbent-plastiques-optiques.example', 'contact@arbent-plastiques-optiques.example', '+33 4 65 71 10 27',
  '{"street": "230 rue de la Pérouse", "postal_code": "01100", "city": "Arbent", "commune_code": "01014"}', '01', '84', '{"lat": 46.2922, "lon": 5.6792}',
  'Injection de montures et de branches de lunettes en polyamide et en acétate injectable, et d''écrans de protection.'
),
(
  'c2000000-0000-4000-8000-000000000028', 'Régénération Polymères de l''Ain', 'RÉGÉNÉRATION POLYMÈRES DE L''AIN SAS',
  '655453264', '65545326400013', '38.32Z', 24, 'pme', '2012-06-04',
  'https://www.regeneration-polymeres-de-lain.example', 'contact@regeneration-polymeres-de-lain.example', '+33 4 65 71 10 28',
  '{"street": "ZA de la Plaine", "postal_code": "01100", "city": "Groissiat", "commune_code": "01181"}', '01', '84', '{"lat": 46.2217, "lon": 5.6089}',
  'Collecte, broyage et régénération des rebuts de production des plasturgistes de la vallée en granulés prêts à injecter.'
),
(
  'c2000000-0000-4000-8000-000000000029', 'Flaconnage Plastique de la Cluse', 'FLACONNAGE PLASTIQUE DE LA CLUSE SA',
  '752940759', '75294075900018', '22.22Z', 260, 'eti', '1964-10-12',
  'https://www.flaconnage-plastique-de-la-cluse.example', 'contact@flaconnage-plastique-de-la-cluse.example', '+33 4 65 71 10 29',
  '{"street": "88 rue de Genève", "postal_code": "01460", "city": "Montréal-la-Cluse", "commune_code": "01265"}', '01', '84', '{"lat": 46.1836, "lon": 5.5817}',
  'Flacons, pompes et capots en plastique pour la parfumerie et la cosmétique, injectés, soufflés et décorés sur place.'
),
(
  'c2000000-0000-4000-8000-000000000030', 'Laboratoires Cosmétiques de la Beauce', 'LABORATOIRES COSMÉTIQUES DE LA BEAUCE SAS',
  '613664440', '61366444000021', '20.42Z', 520, 'eti', '1983-04-05',
  'https://www.laboratoires-cosmetiques-de-la-beauce.example', 'contact@laboratoires-cosmetiques-de-la-beauce.example', '+33 2 61 91 10 30',
  '{"street": "10 rue Gustave Eiffel, parc d''activités du Jardin d''entreprises", "postal_code": "28000", "city": "Chartres", "commune_code": "28085"}', '28', '24', '{"lat": 48.4469, "lon": 1.4892}',
  'Façonnier de soins du visage, de crèmes solaires et de maquillage, de la formulation au conditionnement, pour des marques françaises et étrangères.'
),
(
  'c2000000-0000-4000-8000-000000000031', 'Groupe Beauté Ligérienne', 'GROUPE BEAUTÉ LIGÉRIENNE SA',
  '478779556', '47877955600016', '20.42Z', 5600, 'ge', '1952-06-30',
  'https://www.groupe-beaute-ligerienne.example', 'contact@groupe-beaute-ligerienne.example', '+33 2 61 91 10 31',
  '{"street": "150 rue de la Chênaie", "postal_code": "45800", "city": "Saint-Jean-de-Braye", "commune_code": "45284"}', '45', '24', '{"lat": 47.9128, "lon": 1.9717}',
  'Fabricant de parfums, de soins et de maquillage pour les marques de luxe, avec des sites de production dans le Loiret et en Eure-et-Loir.'
),
(
  'c2000000-0000-4000-8000-000000000032', 'Extraits Végétaux de Touraine', 'EXTRAITS VÉGÉTAUX DE TOURAINE SAS',
  '989409115', '98940911500015', '20.53Z', 34, 'pme', '2006-01-16',
  'https://www.extraits-vegetaux-de-touraine.example', 'contact@extraits-vegetaux-de-touraine.example', '+33 2 61 91 10 32',
  '{"street": "4 rue de la Milletière", "postal_code": "37170", "city": "Chambray-lès-Tours", "commune_code": "37050"}', '37', '24', '{"lat": 47.3350, "lon": 0.7125}',
  'Extraction d''actifs végétaux et d''huiles essentielles issus de plantes cultivées en Val de Loire, pour les formulateurs cosmétiques.'
),
(
  'c2000000-0000-4000-8000-000000000033', 'Tissage Roubaisien Moderne', 'TISSAGE ROUBAISIEN MODERNE SAS',
  '902086040', '90208604000026', '13.20Z', 88, 'pme', '1921-10-03',
  'https://www.tissage-roubaisien-moderne.example', 'contact@tissage-roubaisien-moderne.example', '+33 3 53 01 10 33',
  '{"street": "57 rue de l''Épeule", "postal_code": "59100", "city": "Roubaix", "commune_code": "59512"}', '59', '32', '{"lat": 50.6942, "lon": 3.1746}',
  'Tissage de tissus techniques et d''ameublement sur métiers Jacquard, dont une gamme en fibres recyclées.'
),
(
  'c2000000-0000-4000-8000-000000000034', 'Filature du Ferrain', 'FILATURE DU FERRAIN SAS',
  '692844129', '69284412900019', '13.10Z', 61, 'pme', '1949-02-07',
  'https://www.filature-du-ferrain.example', 'contact@filature-du-ferrain.example', '+33 3 53 01 10 34',
  '{"street": "112 rue de Menin", "postal_code": "59200", "city": "Tourcoing", "commune_code": "59599"}', '59', '32', '{"lat": 50.7239, "lon": 3.1612}',
  'Filature de laine peignée et de fils recyclés issus de textiles usagés, teints en bourre.'
),
(
  'c2000000-0000-4000-8000-000000000035', 'Dentelles de Caudry Création', 'DENTELLES DE CAUDRY CRÉATION SARL',
  '317015238', '31701523800015', '13.99Z', 44, 'pme', '1962-05-14',
  'https://www.dentelles-de-caudry-creation.example', 'contact@dentelles-de-caudry-creation.example', '+33 3 53 01 10 35',
  '{"street": "19 rue du Maréchal Foch", "postal_code": "59540", "city": "Caudry", "commune_code": "59139"}', '59', '32', '{"lat": 50.1250, "lon": 3.4122}',
  'Dentelle Leavers tissée sur métiers anciens pour la lingerie et la haute couture.'
),
(
  'c2000000-0000-4000-8000-000000000036', 'Textiles Techniques du Nord', 'TEXTILES TECHNIQUES DU NORD SAS',
  '897592176', '89759217600027', '13.96Z', 118, 'pme', '1990-09-24',
  'https://www.textiles-techniques-du-nord.example', 'contact@textiles-techniques-du-nord.example', '+33 3 53 01 10 36',
  '{"street": "300 boulevard Gambetta", "postal_code": "59200", "city": "Tourcoing", "commune_code": "59599"}', '59', '32', '{"lat": 50.7239, "lon": 3.1612}',
  'Tissus enduits et membranes respirantes pour les vêtements de montagne, les équipements de protection et les toiles techniques.'
),
(
  'c2000000-0000-4000-8000-000000000037', 'Chantiers Navals de l''Iroise', 'CHANTIERS NAVALS DE L''IROISE SAS',
  '941678856', '94167885600019', '30.11Z', 380, 'eti', '1961-04-24',
  'https://www.chantiers-navals-de-liroise.example', 'contact@chantiers-navals-de-liroise.example', '+33 2 61 91 10 37',
  '{"street": "Quai de la Réparation navale, port de commerce", "postal_code": "29200", "city": "Brest", "commune_code": "29019"}', '29', '53', '{"lat": 48.3904, "lon": -4.4861}',
  'Construction et réparation de navires de servitude, de pêche et de transport de passagers, avec une forme de radoub au port de Brest.'
),
(
  'c2000000-0000-4000-8000-000000000038', 'Hydroliennes du Ponant', 'HYDROLIENNES DU PONANT SAS',
  '771775780', '77177578000014', '28.11Z', 46, 'pme', '2011-03-07',
  'https://www.hydroliennes-du-ponant.example', 'contact@hydroliennes-du-ponant.example', '+33 2 61 91 10 38',
  '{"street": "18 rue Jean Rostand", "postal_code": "29200", "city": "Brest", "commune_code": "29019"}', '29', '53', '{"lat": 48.3904, "lon": -4.4861}',
  'Conception d''hydroliennes fluviales et marines et de leurs systèmes d''ancrage, testées en rade de Brest.'
),
(
  'c2000000-0000-4000-8000-000000000039', 'Biomarine Cornouaille', 'BIOMARINE CORNOUAILLE SAS',
  '399790534', '39979053400024', '20.59Z', 22, 'pme', '2009-10-19',
  'https://www.biomarine-cornouaille.example', 'contact@biomarine-cornouaille.example', '+33 2 61 91 10 39',
  '{"street": "7 rue des Chalutiers", "postal_code": "29900", "city": "Concarneau", "commune_code": "29039"}', '29', '53', '{"lat": 47.8753, "lon": -3.9189}',
  'Extraction de molécules d''intérêt à partir d''algues et de coproduits de la pêche, pour la nutrition et la cosmétique.'
),
(
  'c2000000-0000-4000-8000-000000000040', 'Lorient Composites Marine', 'LORIENT COMPOSITES MARINE SAS',
  '874558851', '87455885100018', '30.12Z', 67, 'pme', '1998-06-15',
  'https://www.lorient-composites-marine.example', 'contact@lorient-composites-marine.example', '+33 2 61 91 10 40',
  '{"street": "Base de sous-marins, rue Toul Bihan", "postal_code": "56100", "city": "Lorient", "commune_code": "56121"}', '56', '53', '{"lat": 47.7483, "lon": -3.3700}',
  'Construction de multicoques de course et de pièces composites en carbone (mâts, appendices, foils).'
),
(
  'c2000000-0000-4000-8000-000000000041', 'Fromagerie du Bas-Maine', 'FROMAGERIE DU BAS-MAINE SAS',
  '427783758', '42778375800019', '10.51C', 190, 'pme', '1935-08-19',
  'https://www.fromagerie-du-bas-maine.example', 'contact@fromagerie-du-bas-maine.example', '+33 2 61 91 10 41',
  '{"street": "Lieu-dit la Trappe", "postal_code": "53260", "city": "Entrammes", "commune_code": "53094"}', '53', '52', '{"lat": 47.9989, "lon": -0.7133}',
  'Fromagerie de pâtes pressées non cuites et de fromages à croûte lavée, au lait collecté à moins de 50 km.'
),
(
  'c2000000-0000-4000-8000-000000000042', 'Semences Horticoles de l''Anjou', 'SEMENCES HORTICOLES DE L''ANJOU SAS',
  '623722402', '62372240200020', '01.30Z', 112, 'pme', '1979-03-12',
  'https://www.semences-horticoles-de-lanjou.example', 'contact@semences-horticoles-de-lanjou.example', '+33 2 61 91 10 42',
  '{"street": "5 rue Fleming", "postal_code": "49070", "city": "Beaucouzé", "commune_code": "49020"}', '49', '52', '{"lat": 47.4744, "lon": -0.6336}',
  'Sélection et production de semences potagères et florales, avec une station d''essais en plein champ et sous serre.'
),
(
  'c2000000-0000-4000-8000-000000000043', 'Emballages Alimentaires Choletais', 'EMBALLAGES ALIMENTAIRES CHOLETAIS SAS',
  '832809974', '83280997400013', '17.21B', 140, 'pme', '1971-11-08',
  'https://www.emballages-alimentaires-choletais.example', 'contact@emballages-alimentaires-choletais.example', '+33 2 61 91 10 43',
  '{"street": "Rue du Bois Lavau", "postal_code": "49300", "city": "Cholet", "commune_code": "49099"}', '49', '52', '{"lat": 47.0600, "lon": -0.8786}',
  'Barquettes, étuis et caisses en carton compact et ondulé pour les industries laitière, carnée et légumière.'
),
(
  'c2000000-0000-4000-8000-000000000044', 'Algorithmes et Lumière', 'ALGORITHMES ET LUMIÈRE SAS',
  '370134306', '37013430600015', '62.01Z', 34, 'pme', '2017-01-09',
  'https://www.algorithmes-et-lumiere.example', 'contact@algorithmes-et-lumiere.example', '+33 1 99 00 10 44',
  '{"street": "22 rue du Faubourg Saint-Denis", "postal_code": "75010", "city": "Paris", "commune_code": "75056"}', '75', '11', '{"lat": 48.8566, "lon": 2.3522}',
  'Éditeur de logiciels de vision par ordinateur et d''intelligence artificielle pour le contrôle qualité dans l''industrie.'
),
(
  'c2000000-0000-4000-8000-000000000045', 'Rempart Numérique', 'REMPART NUMÉRIQUE SAS',
  '867145872', '86714587200026', '62.02A', 128, 'pme', '2012-05-21',
  'https://www.rempart-numerique.example', 'contact@rempart-numerique.example', '+33 1 99 00 10 45',
  '{"street": "45 avenue de France", "postal_code": "75013", "city": "Paris", "commune_code": "75056"}', '75', '11', '{"lat": 48.8566, "lon": 2.3522}',
  'Audit de sécurité, centre opérationnel de sécurité et réponse aux incidents pour les PME et les collectivités.'
),
(
  'c2000000-0000-4000-8000-000000000046', 'Studio Médias Immersifs', 'STUDIO MÉDIAS IMMERSIFS SAS',
  '332318641', NULL, '58.21Z', 23, 'pme', '2019-09-02',
  'https://www.studio-medias-immersifs.example', 'contact@studio-medias-immersifs.example', '+33 1 99 00 10 46',
  '{"street": "12 rue Étienne Marcel", "postal_code": "93100", "city": "Montreuil", "commune_code": "93048"}', '93', '11', '{"lat": 48.8611, "lon": 2.4437}',
  'Studio de création d''expériences immersives en réalité virtuelle et augmentée pour les musées et le patrimoine.'
),
(
  'c2000000-0000-4000-8000-000000000047', 'Lexique Analytique', 'LEXIQUE ANALYTIQUE SAS',
  '598365914', '59836591400012', '58.29C', 310, 'eti', '2003-10-06',
  'https://www.lexique-analytique.example', 'contact@lexique-analytique.example', '+33 1 99 00 10 47',
  '{"street": "80 quai de Stalingrad", "postal_code": "92100", "city": "Boulogne-Billancourt", "commune_code": "92012"}', '92', '11', '{"lat": 48.8353, "lon": 2.2400}',
  'Éditeur de logiciels de traitement automatique du langage pour les services juridiques et les administrations.'
),
(
  'c2000000-0000-4000-8000-000000000048', 'La Poste – Plateforme industrielle courrier de Gonesse', 'LA POSTE',
  '356000000', '35600000004214', '53.10Z', 620, 'eti', '1991-01-01',
  'https://www.la-poste-pic-gonesse.example', 'contact@la-poste-pic-gonesse.example', '+33 1 99 00 10 48',
  '{"street": "Avenue du Parc des Expositions", "postal_code": "95500", "city": "Gonesse", "commune_code": "95277"}', '95', '11', '{"lat": 48.9867, "lon": 2.4494}',
  'Plateforme de tri du courrier et des colis du nord de l''Île-de-France, où La Poste expérimente la lecture automatique des adresses par intelligence artificielle.'
),
(
  'c2000000-0000-4000-8000-000000000049', 'Glisse Concept Annecy', 'GLISSE CONCEPT ANNECY SAS',
  '485281547', '48528154700011', '32.30Z', 96, 'pme', '1987-12-01',
  'https://www.glisse-concept-annecy.example', 'contact@glisse-concept-annecy.example', '+33 4 65 71 10 49',
  '{"street": "9 avenue de la Mandallaz", "postal_code": "74000", "city": "Annecy", "commune_code": "74010"}', '74', '84', '{"lat": 45.8992, "lon": 6.1294}',
  'Conception et fabrication de skis de randonnée et de fixations légères, en partie à partir de matériaux biosourcés.'
),
(
  'c2000000-0000-4000-8000-000000000050', 'Cordages et Sécurité Verticale', 'CORDAGES ET SÉCURITÉ VERTICALE SAS',
  '437518079', '43751807900011', '13.94Z', 145, 'pme', '1976-05-03',
  'https://www.cordages-et-securite-verticale.example', 'contact@cordages-et-securite-verticale.example', '+33 4 65 71 10 50',
  '{"street": "31 route des Creuses", "postal_code": "74330", "city": "Epagny Metz-Tessy", "commune_code": "74112"}', '74', '84', '{"lat": 45.9392, "lon": 6.0894}',
  'Cordes d''escalade et d''alpinisme, longes et équipements de protection antichute pour le sport et le travail en hauteur.'
),
(
  'c2000000-0000-4000-8000-000000000051', 'Vélos de Montagne du Semnoz', 'VÉLOS DE MONTAGNE DU SEMNOZ SARL',
  '737523464', '73752346400029', '30.92Z', 18, 'pme', '2014-04-14',
  'https://www.velos-de-montagne-du-semnoz.example', 'contact@velos-de-montagne-du-semnoz.example', '+33 4 65 71 10 51',
  '{"street": "1402 route d''Albertville", "postal_code": "74320", "city": "Sevrier", "commune_code": "74267"}', '74', '84', '{"lat": 45.8644, "lon": 6.1397}',
  'Conception et assemblage de vélos tout-terrain et de vélos à assistance électrique de montagne, cadres en acier et en aluminium.'
),
(
  'c2000000-0000-4000-8000-000000000052', 'Chantier Naval des Minimes', 'CHANTIER NAVAL DES MINIMES SAS',
  '420268740', '42026874000016', '30.12Z', 240, 'pme', '1984-03-19',
  'https://www.chantier-naval-des-minimes.example', 'contact@chantier-naval-des-minimes.example', '+33 5 36 49 10 52',
  '{"street": "Rue de la Trinquette, port des Minimes", "postal_code": "17000", "city": "La Rochelle", "commune_code": "17300"}', '17', '75', '{"lat": 46.1603, "lon": -1.1511}',
  'Construction de catamarans de croisière de 12 à 18 mètres, vendus en propriété ou en flotte de location.'
),
(
  'c2000000-0000-4000-8000-000000000053', 'Voilerie Rochelaise', 'VOILERIE ROCHELAISE SARL',
  '896510070', '89651007000015', '13.92Z', 16, 'pme', '1992-06-01',
  'https://www.voilerie-rochelaise.example', 'contact@voilerie-rochelaise.example', '+33 5 36 49 10 53',
  '{"street": "14 rue du Docteur Schweitzer", "postal_code": "17180", "city": "Périgny", "commune_code": "17274"}', '17', '75', '{"lat": 46.1544, "lon": -1.0967}',
  'Conception et confection de voiles de croisière et de course, réparation et hivernage.'
),
(
  'c2000000-0000-4000-8000-000000000054', 'Déconstruction Nautique Atlantique', 'DÉCONSTRUCTION NAUTIQUE ATLANTIQUE SAS',
  '706880861', '70688086100028', '38.31Z', 9, 'tpe', '2019-02-11',
  'https://www.deconstruction-nautique-atlantique.example', 'contact@deconstruction-nautique-atlantique.example', '+33 2 61 91 10 54',
  '{"street": "ZA du Pays des Olonnes, rue des Marais", "postal_code": "85100", "city": "Les Sables-d''Olonne", "commune_code": "85194"}', '85', '52', '{"lat": 46.4967, "lon": -1.7831}',
  'Déconstruction de bateaux de plaisance hors d''usage et valorisation de leurs composites et de leurs métaux.'
),
(
  'c2000000-0000-4000-8000-000000000055', 'Pressoirs Champenois', 'PRESSOIRS CHAMPENOIS SAS',
  '805066008', '80506600800014', '28.93Z', 72, 'pme', '1929-05-06',
  'https://www.pressoirs-champenois.example', 'contact@pressoirs-champenois.example', '+33 3 53 01 10 55',
  '{"street": "33 rue Jean Chandon-Moët", "postal_code": "51200", "city": "Épernay", "commune_code": "51230"}', '51', '44', '{"lat": 49.0405, "lon": 3.9590}',
  'Pressoirs pneumatiques et traditionnels à chargement par le haut, conformes au cahier des charges de l''appellation Champagne.'
),
(
  'c2000000-0000-4000-8000-000000000056', 'Inox Cuverie d''Aÿ', 'INOX CUVERIE D''AŸ SAS',
  '970730537', '97073053700010', '25.29Z', 54, 'pme', '1968-02-19',
  'https://www.inox-cuverie-day.example', 'contact@inox-cuverie-day.example', '+33 3 53 01 10 56',
  '{"street": "9 rue de la Coopérative", "postal_code": "51160", "city": "Aÿ-Champagne", "commune_code": "51030"}', '51', '44', '{"lat": 49.0553, "lon": 4.0033}',
  'Cuves de vinification et de stockage en acier inoxydable, thermorégulées, fabriquées sur mesure pour les maisons et les coopératives.'
),
(
  'c2000000-0000-4000-8000-000000000057', 'Enjambeurs de la Côte des Bar', 'ENJAMBEURS DE LA CÔTE DES BAR SAS',
  '702503749', '70250374900021', '28.30Z', 36, 'pme', '1981-09-07',
  'https://www.enjambeurs-de-la-cote-des-bar.example', 'contact@enjambeurs-de-la-cote-des-bar.example', '+33 3 53 01 10 57',
  '{"street": "Route de Troyes", "postal_code": "10110", "city": "Bar-sur-Seine", "commune_code": "10034"}', '10', '44', '{"lat": 48.1128, "lon": 4.3764}',
  'Tracteurs enjambeurs pour vignes étroites et, depuis 2020, un robot électrique de travail du sol dans les rangs.'
),
(
  'c2000000-0000-4000-8000-000000000058', 'Horlogerie du Val de Morteau', 'HORLOGERIE DU VAL DE MORTEAU SAS',
  '806095568', '80609556800010', '26.52Z', 34, 'pme', '1952-03-03',
  'https://www.horlogerie-du-val-de-morteau.example', 'contact@horlogerie-du-val-de-morteau.example', '+33 3 53 01 10 58',
  '{"street": "14 rue de la Louhière", "postal_code": "25500", "city": "Morteau", "commune_code": "25411"}', '25', '27', '{"lat": 47.0575, "lon": 6.6067}',
  'Fabrication de montres mécaniques et de mouvements remontés à la main, vendus sous sa marque depuis 1952.'
),
(
  'c2000000-0000-4000-8000-000000000059', 'Microtechniques de Villers-le-Lac', 'MICROTECHNIQUES DE VILLERS-LE-LAC SARL',
  '711361089', '71136108900016', '25.62B', 21, 'pme', '1980-10-13',
  'https://www.microtechniques-de-villers-le-lac.example', 'contact@microtechniques-de-villers-le-lac.example', '+33 3 53 01 10 59',
  '{"street": "5 rue des Combes", "postal_code": "25130", "city": "Villers-le-Lac", "commune_code": "25321"}', '25', '27', '{"lat": 47.0619, "lon": 6.6700}',
  'Usinage de très petites pièces (platines, ponts, axes) pour l''horlogerie et les instruments médicaux.'
),
(
  'c2000000-0000-4000-8000-000000000060', 'Cadrans et Aiguilles des Fins', 'CADRANS ET AIGUILLES DES FINS SARL',
  '677054611', '67705461100020', '26.52Z', 8, 'tpe', '1971-04-26',
  'https://www.cadrans-et-aiguilles-des-fins.example', 'contact@cadrans-et-aiguilles-des-fins.example', '+33 3 53 01 10 60',
  '{"street": "3 rue du Stade", "postal_code": "25500", "city": "Les Fins", "commune_code": "25240"}', '25', '27', '{"lat": 47.0781, "lon": 6.6314}',
  'Atelier de cadrans et d''aiguilles de montres : découpe, guillochage, galvanoplastie et pose d''index.'
),
(
  'c2000000-0000-4000-8000-000000000061', 'Scierie du Laricio', 'SCIERIE DU LARICIO SARL',
  '541980124', '54198012400013', '16.10A', 11, 'pme', '1990-07-16',
  'https://www.scierie-du-laricio.example', 'contact@scierie-du-laricio.example', '+33 4 65 71 10 61',
  '{"street": "Route de Santa Lucia", "postal_code": "20250", "city": "Corte", "commune_code": "2B096"}', '2B', '94', '{"lat": 42.3061, "lon": 9.1497}',
  'Scierie de pin laricio de Corse : bois de charpente et bardages, séchés et classés pour la construction sur l''île.'
),
(
  'c2000000-0000-4000-8000-000000000062', 'Isolants Naturels de Corse', 'ISOLANTS NATURELS DE CORSE SAS',
  '538255159', NULL, '43.29A', 6, 'tpe', '2016-03-21',
  'https://www.isolants-naturels-de-corse.example', 'contact@isolants-naturels-de-corse.example', '+33 4 65 71 10 62',
  '{"street": "Zone industrielle du Vazzio", "postal_code": "20090", "city": "Ajaccio", "commune_code": "2A004"}', '2A', '94', '{"lat": 41.9192, "lon": 8.7386}',
  'Pose d''isolants biosourcés (liège, fibre de bois, laine de brebis) en rénovation énergétique de maisons et de petits immeubles.'
),
(
  'c2000000-0000-4000-8000-000000000063', 'Solaire Bourbon Énergies', 'SOLAIRE BOURBON ÉNERGIES SAS',
  '671150662', '67115066200029', '43.21A', 54, 'pme', '2008-08-25',
  'https://www.solaire-bourbon-energies.example', 'contact@solaire-bourbon-energies.example', '+33 6 39 98 10 63',
  '{"street": "Rue Evariste de Parny, ZAC 2000", "postal_code": "97420", "city": "Le Port", "commune_code": "97407"}', '974', '04', '{"lat": -20.9372, "lon": 55.2919}',
  'Installation et maintenance de centrales photovoltaïques en toiture et de systèmes de stockage pour les entreprises et les collectivités.'
),
(
  'c2000000-0000-4000-8000-000000000064', 'Stockage Îlien', 'STOCKAGE ÎLIEN SAS',
  '575320882', NULL, '27.20Z', 9, 'tpe', '2021-05-10',
  'https://www.stockage-ilien.example', 'contact@stockage-ilien.example', '+33 6 39 98 10 64',
  '{"street": "14 rue Marius et Ary Leblond", "postal_code": "97410", "city": "Saint-Pierre", "commune_code": "97416"}', '974', '04', '{"lat": -21.3393, "lon": 55.4781}',
  'Jeune entreprise qui assemble des batteries de seconde vie pour le stockage de l''électricité solaire dans les sites isolés.'
),
(
  'c2000000-0000-4000-8000-000000000065', 'Flaconnerie Blangeoise', 'FLACONNERIE BLANGEOISE SA',
  '567324165', '56732416500016', '23.13Z', 780, 'eti', '1896-09-01',
  'https://www.flaconnerie-blangeoise.example', 'contact@flaconnerie-blangeoise.example', '+33 2 61 91 10 65',
  '{"street": "Rue de la Verrerie", "postal_code": "76340", "city": "Blangy-sur-Bresle", "commune_code": "76101"}', '76', '28', '{"lat": 49.9322, "lon": 1.6306}',
  'Verrerie de flaconnage de luxe : flacons de parfum et pots de soin en verre extra-blanc, moulés, parachevés et décorés sur place.'
),
(
  'c2000000-0000-4000-8000-000000000066', 'Décor Verre Gamaches', 'DÉCOR VERRE GAMACHES SAS',
  '780530523', '78053052300023', '23.19Z', 95, 'pme', '1979-01-15',
  'https://www.decor-verre-gamaches.example', 'contact@decor-verre-gamaches.example', '+33 3 53 01 10 66',
  '{"street": "2 rue Jean Catelas", "postal_code": "80220", "city": "Gamaches", "commune_code": "80373"}', '80', '32', '{"lat": 49.9856, "lon": 1.5556}',
  'Décoration de flacons en verre : sérigraphie, laquage, métallisation et marquage à chaud pour les grandes maisons de parfum.'
),
(
  'c2000000-0000-4000-8000-000000000067', 'Moules Verriers de Feuquières', 'MOULES VERRIERS DE FEUQUIÈRES SARL',
  '503051781', '50305178100014', '25.73A', 27, 'pme', '1958-11-24',
  'https://www.moules-verriers-de-feuquieres.example', 'contact@moules-verriers-de-feuquieres.example', '+33 3 53 01 10 67',
  '{"street": "11 rue de l''Église", "postal_code": "60960", "city": "Feuquières", "commune_code": "60233"}', '60', '32', '{"lat": 49.6478, "lon": 1.8489}',
  'Conception et usinage de moules et de noyaux en fonte et en bronze pour la verrerie de flaconnage.'
)
ON CONFLICT DO NOTHING;

-- Territorial partners: c3000000-0000-4000-8000-0000000000NN. Real public bodies (SIREN left
-- empty), two invented private ones (the bank and the fablab); web sites, e-mails and phone
-- numbers are fictitious.
INSERT INTO partners (id, name, kind, siren, website, email, phone, address, region_code, location,
                      description)
VALUES
(
  'c3000000-0000-4000-8000-000000000001', 'Auvergne-Rhône-Alpes Entreprises', 'development_agency', NULL,
  'https://www.auvergne-rhone-alpes-entreprises.example', 'contact@auvergne-rhone-alpes-entreprises.example', '+33 4 65 71 20 01',
  '{"street": "30 quai Perrache", "postal_code": "69002", "city": "Lyon", "commune_code": "69123"}', '84', '{"lat": 45.7640, "lon": 4.8357}',
  'Agence de développement économique de la Région Auvergne-Rhône-Alpes : accompagnement des PME dans leurs projets d''investissement, d''innovation et d''export.'
),
(
  'c3000000-0000-4000-8000-000000000002', 'Dev''Up Centre-Val de Loire', 'development_agency', NULL,
  'https://www.devup-centre-val-de-loire.example', 'contact@devup-centre-val-de-loire.example', '+33 2 61 91 20 02',
  '{"street": "6 rue du Carbone", "postal_code": "45100", "city": "Orléans", "commune_code": "45234"}', '24', '{"lat": 47.9025, "lon": 1.9090}',
  'Agence régionale de développement économique du Centre-Val de Loire, qui accompagne l''implantation et la croissance des entreprises.'
),
(
  'c3000000-0000-4000-8000-000000000003', 'CCI Haute-Savoie', 'chamber_of_commerce', NULL,
  'https://www.cci-haute-savoie.example', 'contact@cci-haute-savoie.example', '+33 4 65 71 20 03',
  '{"street": "5 rue du 27e BCA", "postal_code": "74000", "city": "Annecy", "commune_code": "74010"}', '84', '{"lat": 45.8992, "lon": 6.1294}',
  'Chambre de commerce et d''industrie de la Haute-Savoie : formalités, formation, appui à l''industrie et à l''international.'
),
(
  'c3000000-0000-4000-8000-000000000004', 'Chambre de métiers et de l''artisanat de Corse', 'chamber_of_trades', NULL,
  'https://www.cma-corse.example', 'contact@cma-corse.example', '+33 4 65 71 20 04',
  '{"street": "Boulevard Dominique Paoli", "postal_code": "20090", "city": "Ajaccio", "commune_code": "2A004"}', '94', '{"lat": 41.9192, "lon": 8.7386}',
  'Chambre de métiers et de l''artisanat de la Corse, qui accompagne les artisans du bâtiment dans la rénovation énergétique.'
),
(
  'c3000000-0000-4000-8000-000000000005', 'Région Auvergne-Rhône-Alpes', 'region', NULL,
  'https://www.region-auvergne-rhone-alpes.example', 'contact@region-auvergne-rhone-alpes.example', '+33 4 65 71 20 05',
  '{"street": "1 esplanade François Mitterrand", "postal_code": "69002", "city": "Lyon", "commune_code": "69123"}', '84', '{"lat": 45.7640, "lon": 4.8357}',
  'Conseil régional d''Auvergne-Rhône-Alpes, chef de file du développement économique, qui finance l''animation des clusters régionaux.'
),
(
  'c3000000-0000-4000-8000-000000000006', 'Collectivité de Corse', 'region', NULL,
  'https://www.collectivite-de-corse.example', 'contact@collectivite-de-corse.example', '+33 4 65 71 20 06',
  '{"street": "22 cours Grandval", "postal_code": "20000", "city": "Ajaccio", "commune_code": "2A004"}', '94', '{"lat": 41.9192, "lon": 8.7386}',
  'Collectivité territoriale unique de la Corse, qui exerce les compétences de la région et des deux départements.'
),
(
  'c3000000-0000-4000-8000-000000000007', 'Région Réunion', 'region', NULL,
  'https://www.region-reunion.example', 'contact@region-reunion.example', '+33 6 39 98 20 07',
  '{"street": "Avenue René Cassin, Moufia", "postal_code": "97490", "city": "Saint-Denis", "commune_code": "97411"}', '04', '{"lat": -20.8821, "lon": 55.4481}',
  'Conseil régional de La Réunion, qui soutient la transition énergétique de l''île et l''autonomie électrique en 2030.'
),
(
  'c3000000-0000-4000-8000-000000000008', 'Département des Landes', 'local_authority', NULL,
  'https://www.departement-des-landes.example', 'contact@departement-des-landes.example', '+33 5 36 49 20 08',
  '{"street": "23 rue Victor Hugo", "postal_code": "40000", "city": "Mont-de-Marsan", "commune_code": "40192"}', '75', '{"lat": 43.8902, "lon": -0.4998}',
  'Conseil départemental des Landes, partenaire de la filière forêt-bois et de la défense des forêts contre l''incendie.'
),
(
  'c3000000-0000-4000-8000-000000000009', 'Communauté d''agglomération de La Rochelle', 'local_authority', NULL,
  'https://www.agglo-la-rochelle.example', 'contact@agglo-la-rochelle.example', '+33 5 36 49 20 09',
  '{"street": "6 rue Saint-Michel", "postal_code": "17000", "city": "La Rochelle", "commune_code": "17300"}', '75', '{"lat": 46.1603, "lon": -1.1511}',
  'Communauté d''agglomération qui porte le projet « La Rochelle Territoire Zéro Carbone » et soutient la filière nautique.'
),
(
  'c3000000-0000-4000-8000-000000000010', 'ADEME – Direction régionale Nouvelle-Aquitaine', 'state_agency', NULL,
  'https://www.ademe-nouvelle-aquitaine.example', 'contact@ademe-nouvelle-aquitaine.example', '+33 5 36 49 20 10',
  '{"street": "4 rue Jean Marie Rivière", "postal_code": "33000", "city": "Bordeaux", "commune_code": "33063"}', '75', '{"lat": 44.8378, "lon": -0.5792}',
  'Direction régionale de l''Agence de la transition écologique, qui finance les projets de chaleur renouvelable et d''économie circulaire.'
),
(
  'c3000000-0000-4000-8000-000000000011', 'Université Savoie Mont Blanc', 'university', NULL,
  'https://www.universite-savoie-mont-blanc.example', 'contact@universite-savoie-mont-blanc.example', '+33 4 65 71 20 11',
  '{"street": "27 rue Marcoz", "postal_code": "73000", "city": "Chambéry", "commune_code": "73065"}', '84', '{"lat": 45.5646, "lon": 5.9178}',
  'Université pluridisciplinaire de Savoie et de Haute-Savoie, avec des laboratoires de mécatronique, de matériaux et de sciences du sport.'
),
(
  'c3000000-0000-4000-8000-000000000012', 'Université de Franche-Comté', 'university', NULL,
  'https://www.universite-de-franche-comte.example', 'contact@universite-de-franche-comte.example', '+33 3 53 01 20 12',
  '{"street": "1 rue Claude Goudimel", "postal_code": "25000", "city": "Besançon", "commune_code": "25056"}', '27', '{"lat": 47.2378, "lon": 6.0241}',
  'Université de Besançon, reconnue pour ses laboratoires de microtechniques, de mécanique et d''optique.'
),
(
  'c3000000-0000-4000-8000-000000000013', 'Université d''Angers', 'university', NULL,
  'https://www.universite-dangers.example', 'contact@universite-dangers.example', '+33 2 61 91 20 13',
  '{"street": "40 rue de Rennes", "postal_code": "49100", "city": "Angers", "commune_code": "49007"}', '52', '{"lat": 47.4784, "lon": -0.5632}',
  'Université dont les laboratoires de biologie végétale et de nutrition travaillent avec les industries agroalimentaires de l''Ouest.'
),
(
  'c3000000-0000-4000-8000-000000000014', 'ENSAIT – École nationale supérieure des arts et industries textiles', 'school', NULL,
  'https://www.ensait.example', 'contact@ensait.example', '+33 3 53 01 20 14',
  '{"street": "2 allée Louise et Victor Champier", "postal_code": "59100", "city": "Roubaix", "commune_code": "59512"}', '32', '{"lat": 50.6942, "lon": 3.1746}',
  'École d''ingénieurs du textile à Roubaix, avec une plateforme de recherche sur les textiles techniques et le recyclage des fibres.'
),
(
  'c3000000-0000-4000-8000-000000000015', 'Ifremer – Centre de Bretagne', 'research_organisation', NULL,
  'https://www.ifremer-centre-de-bretagne.example', 'contact@ifremer-centre-de-bretagne.example', '+33 2 61 91 20 15',
  '{"street": "1625 route de Sainte-Anne", "postal_code": "29280", "city": "Plouzané", "commune_code": "29212"}', '53', '{"lat": 48.3822, "lon": -4.6192}',
  'Centre de recherche de l''Institut français de recherche pour l''exploitation de la mer : océanographie, technologies marines, biotechnologies.'
),
(
  'c3000000-0000-4000-8000-000000000016', 'ONERA – Centre de Toulouse', 'research_organisation', NULL,
  'https://www.onera-centre-de-toulouse.example', 'contact@onera-centre-de-toulouse.example', '+33 5 36 49 20 16',
  '{"street": "2 avenue Édouard Belin", "postal_code": "31400", "city": "Toulouse", "commune_code": "31555"}', '76', '{"lat": 43.6045, "lon": 1.4440}',
  'Centre toulousain de l''Office national d''études et de recherches aérospatiales : systèmes embarqués, optique, électromagnétisme.'
),
(
  'c3000000-0000-4000-8000-000000000017', 'Technopôle Brest-Iroise', 'technopole', NULL,
  'https://www.technopole-brest-iroise.example', 'contact@technopole-brest-iroise.example', '+33 2 61 91 20 17',
  '{"street": "525 avenue Alexis de Rochon", "postal_code": "29280", "city": "Plouzané", "commune_code": "29212"}', '53', '{"lat": 48.3822, "lon": -4.6192}',
  'Technopole de la pointe bretonne, qui anime le réseau des entreprises innovantes et des laboratoires des sciences de la mer.'
),
(
  'c3000000-0000-4000-8000-000000000018', 'La Fabrique du Haut-Jura', 'fablab', NULL,
  'https://www.la-fabrique-du-haut-jura.example', 'contact@la-fabrique-du-haut-jura.example', '+33 3 53 01 20 18',
  '{"street": "5 rue Lamartine", "postal_code": "39400", "city": "Hauts de Bienne", "commune_code": "39368"}', '27', '{"lat": 46.5225, "lon": 6.0250}',
  'Fablab associatif de Morez : impression 3D, découpe laser et fraisage numérique pour le prototypage de montures.'
),
(
  'c3000000-0000-4000-8000-000000000019', 'Agoranov', 'incubator', NULL,
  'https://www.agoranov.example', 'contact@agoranov.example', '+33 1 99 00 20 19',
  '{"street": "96 bis boulevard Raspail", "postal_code": "75006", "city": "Paris", "commune_code": "75056"}', '11', '{"lat": 48.8566, "lon": 2.3522}',
  'Incubateur parisien de start-up issues de la recherche publique, fondé par des universités et des écoles.'
),
(
  'c3000000-0000-4000-8000-000000000020', 'Banque Mutualiste du Faucigny', 'bank', NULL,
  'https://www.banque-mutualiste-du-faucigny.example', 'contact@banque-mutualiste-du-faucigny.example', '+33 4 65 71 20 20',
  '{"street": "18 place de l''Hôtel de Ville", "postal_code": "74130", "city": "Bonneville", "commune_code": "74042"}', '84', '{"lat": 46.0781, "lon": 6.4008}',
  'Banque coopérative régionale, partenaire historique des PME industrielles de la vallée de l''Arve.'
),
(
  'c3000000-0000-4000-8000-000000000021', 'Normandie Participations', 'investor', NULL,
  'https://www.normandie-participations.example', 'contact@normandie-participations.example', '+33 2 61 91 20 21',
  '{"street": "Abbaye-aux-Dames, place Reine Mathilde", "postal_code": "14000", "city": "Caen", "commune_code": "14118"}', '28', '{"lat": 49.1829, "lon": -0.3707}',
  'Fonds d''investissement de la Région Normandie, qui prête aux PME et entre à leur capital.'
),
(
  'c3000000-0000-4000-8000-000000000022', 'Bpifrance Lyon', 'bpifrance', NULL,
  'https://www.bpifrance-lyon.example', 'contact@bpifrance-lyon.example', '+33 4 65 71 20 22',
  '{"street": "20 boulevard Eugène Deruelle", "postal_code": "69003", "city": "Lyon", "commune_code": "69123"}', '84', '{"lat": 45.7640, "lon": 4.8357}',
  'Direction régionale de Bpifrance : prêts, garanties, aides à l''innovation et fonds propres pour les entreprises de la région.'
),
(
  'c3000000-0000-4000-8000-000000000023', 'Comité Champagne', 'other', NULL,
  'https://www.comite-champagne.example', 'contact@comite-champagne.example', '+33 3 53 01 20 23',
  '{"street": "5 rue Henri-Martin", "postal_code": "51200", "city": "Épernay", "commune_code": "51230"}', '44', '{"lat": 49.0405, "lon": 3.9590}',
  'Interprofession des vignerons et des maisons de Champagne, qui conduit la recherche et le développement technique de la filière.'
)
ON CONFLICT DO NOTHING;

-- Memberships: c4000000-0000-4000-8000-000000000NNN. Every company is a current member of the
-- cluster of its place and trade, a few of two; the members of the SPL Horlogerie du Haut-Doubs
-- left when it was dissolved in 2014; one firm left Mont-Blanc Industries and joined again.
INSERT INTO memberships (id, cluster_id, company_id, role, college, joined_on, left_on)
VALUES
  ('c4000000-0000-4000-8000-000000000001', 'c1000000-0000-4000-8000-000000000001', 'c2000000-0000-4000-8000-000000000001', 'founding_member', 'pme', '2006-09-14', NULL),
  ('c4000000-0000-4000-8000-000000000002', 'c1000000-0000-4000-8000-000000000001', 'c2000000-0000-4000-8000-000000000002', 'member', 'pme', '2007-03-20', NULL),
  ('c4000000-0000-4000-8000-000000000003', 'c1000000-0000-4000-8000-000000000004', 'c2000000-0000-4000-8000-000000000002', 'member', 'pme', '2019-03-12', NULL),
  ('c4000000-0000-4000-8000-000000000004', 'c1000000-0000-4000-8000-000000000001', 'c2000000-0000-4000-8000-000000000003', 'board_member', 'eti_ge', '2006-09-14', NULL),
  ('c4000000-0000-4000-8000-000000000005', 'c1000000-0000-4000-8000-000000000001', 'c2000000-0000-4000-8000-000000000004', 'member', 'pme', '2006-11-08', '2012-12-31'),
  ('c4000000-0000-4000-8000-000000000006', 'c1000000-0000-4000-8000-000000000001', 'c2000000-0000-4000-8000-000000000004', 'member', 'pme', '2016-05-10', NULL),
  ('c4000000-0000-4000-8000-000000000007', 'c1000000-0000-4000-8000-000000000001', 'c2000000-0000-4000-8000-000000000005', 'member', 'pme', '2009-01-26', NULL),
  ('c4000000-0000-4000-8000-000000000008', 'c1000000-0000-4000-8000-000000000001', 'c2000000-0000-4000-8000-000000000006', 'member', 'pme', '2008-04-15', NULL),
  ('c4000000-0000-4000-8000-000000000009', 'c1000000-0000-4000-8000-000000000001', 'c2000000-0000-4000-8000-000000000007', 'member', 'pme', '2012-09-18', NULL),
  ('c4000000-0000-4000-8000-000000000010', 'c1000000-0000-4000-8000-000000000001', 'c2000000-0000-4000-8000-000000000008', 'member', 'pme', '2010-02-09', NULL),
  ('c4000000-0000-4000-8000-000000000011', 'c1000000-0000-4000-8000-000000000001', 'c2000000-0000-4000-8000-000000000009', 'founding_member', 'eti_ge', '2006-09-14', NULL),
  ('c4000000-0000-4000-8000-000000000012', 'c1000000-0000-4000-8000-000000000002', 'c2000000-0000-4000-8000-000000000010', 'founding_member', 'pme', '2009-02-03', NULL),
  ('c4000000-0000-4000-8000-000000000013', 'c1000000-0000-4000-8000-000000000002', 'c2000000-0000-4000-8000-000000000011', 'member', 'pme', '2009-06-15', NULL),
  ('c4000000-0000-4000-8000-000000000014', 'c1000000-0000-4000-8000-000000000002', 'c2000000-0000-4000-8000-000000000012', 'board_member', 'pme', '2009-02-03', NULL),
  ('c4000000-0000-4000-8000-000000000015', 'c1000000-0000-4000-8000-000000000002', 'c2000000-0000-4000-8000-000000000013', 'member', 'pme', '2016-01-19', NULL),
  ('c4000000-0000-4000-8000-000000000016', 'c1000000-0000-4000-8000-000000000002', 'c2000000-0000-4000-8000-000000000014', 'member', 'pme', '2009-04-07', NULL),
  ('c4000000-0000-4000-8000-000000000017', 'c1000000-0000-4000-8000-000000000003', 'c2000000-0000-4000-8000-000000000015', 'founding_member', 'pme', '2011-10-06', NULL),
  ('c4000000-0000-4000-8000-000000000018', 'c1000000-0000-4000-8000-000000000003', 'c2000000-0000-4000-8000-000000000016', 'member', 'pme', '2012-02-14', NULL),
  ('c4000000-0000-4000-8000-000000000019', 'c1000000-0000-4000-8000-000000000003', 'c2000000-0000-4000-8000-000000000017', 'board_member', 'pme', '2011-10-06', NULL),
  ('c4000000-0000-4000-8000-000000000020', 'c1000000-0000-4000-8000-000000000003', 'c2000000-0000-4000-8000-000000000018', 'member', 'pme', '2013-05-21', NULL),
  ('c4000000-0000-4000-8000-000000000021', 'c1000000-0000-4000-8000-000000000003', 'c2000000-0000-4000-8000-000000000019', 'founding_member', 'pme', '2011-10-06', NULL),
  ('c4000000-0000-4000-8000-000000000022', 'c1000000-0000-4000-8000-000000000003', 'c2000000-0000-4000-8000-000000000020', 'founding_member', 'eti_ge', '2011-10-06', NULL),
  ('c4000000-0000-4000-8000-000000000023', 'c1000000-0000-4000-8000-000000000003', 'c2000000-0000-4000-8000-000000000021', 'member', 'pme', '2012-11-27', NULL),
  ('c4000000-0000-4000-8000-000000000024', 'c1000000-0000-4000-8000-000000000004', 'c2000000-0000-4000-8000-000000000022', 'board_member', 'eti_ge', '2005-07-12', NULL),
  ('c4000000-0000-4000-8000-000000000025', 'c1000000-0000-4000-8000-000000000004', 'c2000000-0000-4000-8000-000000000023', 'founding_member', 'pme', '2005-07-12', NULL),
  ('c4000000-0000-4000-8000-000000000026', 'c1000000-0000-4000-8000-000000000004', 'c2000000-0000-4000-8000-000000000024', 'member', 'pme', '2017-06-29', NULL),
  ('c4000000-0000-4000-8000-000000000027', 'c1000000-0000-4000-8000-000000000005', 'c2000000-0000-4000-8000-000000000025', 'founding_member', 'pme', '2004-05-18', NULL),
  ('c4000000-0000-4000-8000-000000000028', 'c1000000-0000-4000-8000-000000000005', 'c2000000-0000-4000-8000-000000000026', 'board_member', 'pme', '2004-05-18', NULL),
  ('c4000000-0000-4000-8000-000000000029', 'c1000000-0000-4000-8000-000000000005', 'c2000000-0000-4000-8000-000000000027', 'member', 'pme', '2005-09-06', NULL),
  ('c4000000-0000-4000-8000-000000000030', 'c1000000-0000-4000-8000-000000000002', 'c2000000-0000-4000-8000-000000000027', 'member', 'pme', '2012-03-13', NULL),
  ('c4000000-0000-4000-8000-000000000031', 'c1000000-0000-4000-8000-000000000005', 'c2000000-0000-4000-8000-000000000028', 'member', 'pme', '2013-01-22', NULL),
  ('c4000000-0000-4000-8000-000000000032', 'c1000000-0000-4000-8000-000000000005', 'c2000000-0000-4000-8000-000000000029', 'founding_member', 'eti_ge', '2004-05-18', NULL),
  ('c4000000-0000-4000-8000-000000000033', 'c1000000-0000-4000-8000-000000000006', 'c2000000-0000-4000-8000-000000000029', 'member', 'eti_ge', '2011-09-27', NULL),
  ('c4000000-0000-4000-8000-000000000034', 'c1000000-0000-4000-8000-000000000006', 'c2000000-0000-4000-8000-000000000030', 'board_member', 'eti_ge', '1995-03-14', NULL),
  ('c4000000-0000-4000-8000-000000000035', 'c1000000-0000-4000-8000-000000000006', 'c2000000-0000-4000-8000-000000000031', 'founding_member', 'eti_ge', '1994-11-22', NULL),
  ('c4000000-0000-4000-8000-000000000036', 'c1000000-0000-4000-8000-000000000006', 'c2000000-0000-4000-8000-000000000032', 'member', 'pme', '2008-02-05', NULL),
  ('c4000000-0000-4000-8000-000000000037', 'c1000000-0000-4000-8000-000000000007', 'c2000000-0000-4000-8000-000000000033', 'founding_member', 'pme', '2012-03-29', NULL),
  ('c4000000-0000-4000-8000-000000000038', 'c1000000-0000-4000-8000-000000000011', 'c2000000-0000-4000-8000-000000000033', 'member', 'pme', '2013-04-16', '2019-12-31'),
  ('c4000000-0000-4000-8000-000000000039', 'c1000000-0000-4000-8000-000000000007', 'c2000000-0000-4000-8000-000000000034', 'member', 'pme', '2012-09-11', NULL),
  ('c4000000-0000-4000-8000-000000000040', 'c1000000-0000-4000-8000-000000000007', 'c2000000-0000-4000-8000-000000000035', 'member', 'pme', '2013-02-26', NULL),
  ('c4000000-0000-4000-8000-000000000041', 'c1000000-0000-4000-8000-000000000007', 'c2000000-0000-4000-8000-000000000036', 'board_member', 'pme', '2012-03-29', NULL),
  ('c4000000-0000-4000-8000-000000000042', 'c1000000-0000-4000-8000-000000000011', 'c2000000-0000-4000-8000-000000000036', 'member', 'pme', '2014-10-07', NULL),
  ('c4000000-0000-4000-8000-000000000043', 'c1000000-0000-4000-8000-000000000008', 'c2000000-0000-4000-8000-000000000037', 'board_member', 'eti_ge', '2005-07-12', NULL),
  ('c4000000-0000-4000-8000-000000000044', 'c1000000-0000-4000-8000-000000000008', 'c2000000-0000-4000-8000-000000000038', 'member', 'pme', '2012-01-17', NULL),
  ('c4000000-0000-4000-8000-000000000045', 'c1000000-0000-4000-8000-000000000008', 'c2000000-0000-4000-8000-000000000039', 'member', 'pme', '2010-06-08', NULL),
  ('c4000000-0000-4000-8000-000000000046', 'c1000000-0000-4000-8000-000000000008', 'c2000000-0000-4000-8000-000000000040', 'founding_member', 'pme', '2005-07-12', NULL),
  ('c4000000-0000-4000-8000-000000000047', 'c1000000-0000-4000-8000-000000000012', 'c2000000-0000-4000-8000-000000000040', 'member', 'pme', '2015-03-03', NULL),
  ('c4000000-0000-4000-8000-000000000048', 'c1000000-0000-4000-8000-000000000009', 'c2000000-0000-4000-8000-000000000041', 'founding_member', 'pme', '2010-01-15', NULL),
  ('c4000000-0000-4000-8000-000000000049', 'c1000000-0000-4000-8000-000000000009', 'c2000000-0000-4000-8000-000000000042', 'member', 'pme', '2010-09-21', NULL),
  ('c4000000-0000-4000-8000-000000000050', 'c1000000-0000-4000-8000-000000000009', 'c2000000-0000-4000-8000-000000000043', 'board_member', 'pme', '2010-01-15', NULL),
  ('c4000000-0000-4000-8000-000000000051', 'c1000000-0000-4000-8000-000000000010', 'c2000000-0000-4000-8000-000000000044', 'member', 'pme', '2018-04-10', NULL),
  ('c4000000-0000-4000-8000-000000000052', 'c1000000-0000-4000-8000-000000000010', 'c2000000-0000-4000-8000-000000000045', 'board_member', 'pme', '2014-02-11', NULL),
  ('c4000000-0000-4000-8000-000000000053', 'c1000000-0000-4000-8000-000000000010', 'c2000000-0000-4000-8000-000000000046', 'member', 'pme', '2020-11-17', NULL),
  ('c4000000-0000-4000-8000-000000000054', 'c1000000-0000-4000-8000-000000000010', 'c2000000-0000-4000-8000-000000000047', 'founding_member', 'eti_ge', '2006-02-07', NULL),
  ('c4000000-0000-4000-8000-000000000055', 'c1000000-0000-4000-8000-000000000010', 'c2000000-0000-4000-8000-000000000048', 'member', 'eti_ge', '2021-06-01', NULL),
  ('c4000000-0000-4000-8000-000000000056', 'c1000000-0000-4000-8000-000000000011', 'c2000000-0000-4000-8000-000000000049', 'founding_member', 'pme', '2010-06-22', NULL),
  ('c4000000-0000-4000-8000-000000000057', 'c1000000-0000-4000-8000-000000000011', 'c2000000-0000-4000-8000-000000000050', 'board_member', 'pme', '2010-06-22', NULL),
  ('c4000000-0000-4000-8000-000000000058', 'c1000000-0000-4000-8000-000000000011', 'c2000000-0000-4000-8000-000000000051', 'member', 'pme', '2015-09-08', NULL),
  ('c4000000-0000-4000-8000-000000000059', 'c1000000-0000-4000-8000-000000000012', 'c2000000-0000-4000-8000-000000000052', 'founding_member', 'pme', '2013-04-09', NULL),
  ('c4000000-0000-4000-8000-000000000060', 'c1000000-0000-4000-8000-000000000012', 'c2000000-0000-4000-8000-000000000053', 'board_member', 'pme', '2013-10-15', NULL),
  ('c4000000-0000-4000-8000-000000000061', 'c1000000-0000-4000-8000-000000000012', 'c2000000-0000-4000-8000-000000000054', 'member', 'pme', '2020-01-28', NULL),
  ('c4000000-0000-4000-8000-000000000062', 'c1000000-0000-4000-8000-000000000013', 'c2000000-0000-4000-8000-000000000055', 'founding_member', 'pme', '2001-12-04', NULL),
  ('c4000000-0000-4000-8000-000000000063', 'c1000000-0000-4000-8000-000000000013', 'c2000000-0000-4000-8000-000000000056', 'member', 'pme', '2002-06-11', NULL),
  ('c4000000-0000-4000-8000-000000000064', 'c1000000-0000-4000-8000-000000000013', 'c2000000-0000-4000-8000-000000000057', 'board_member', 'pme', '2001-12-04', NULL),
  ('c4000000-0000-4000-8000-000000000065', 'c1000000-0000-4000-8000-000000000014', 'c2000000-0000-4000-8000-000000000058', 'founding_member', 'pme', '1999-06-15', '2014-06-30'),
  ('c4000000-0000-4000-8000-000000000066', 'c1000000-0000-4000-8000-000000000014', 'c2000000-0000-4000-8000-000000000059', 'board_member', 'pme', '2003-02-10', '2014-06-30'),
  ('c4000000-0000-4000-8000-000000000067', 'c1000000-0000-4000-8000-000000000014', 'c2000000-0000-4000-8000-000000000060', 'founding_member', 'pme', '1999-06-15', '2014-06-30'),
  ('c4000000-0000-4000-8000-000000000068', 'c1000000-0000-4000-8000-000000000015', 'c2000000-0000-4000-8000-000000000061', 'founding_member', 'pme', '2018-05-28', NULL),
  ('c4000000-0000-4000-8000-000000000069', 'c1000000-0000-4000-8000-000000000015', 'c2000000-0000-4000-8000-000000000062', 'board_member', 'pme', '2018-05-28', NULL),
  ('c4000000-0000-4000-8000-000000000070', 'c1000000-0000-4000-8000-000000000016', 'c2000000-0000-4000-8000-000000000063', 'founding_member', 'pme', '2024-09-03', NULL),
  ('c4000000-0000-4000-8000-000000000071', 'c1000000-0000-4000-8000-000000000016', 'c2000000-0000-4000-8000-000000000064', 'board_member', 'pme', '2024-11-19', NULL),
  ('c4000000-0000-4000-8000-000000000072', 'c1000000-0000-4000-8000-000000000017', 'c2000000-0000-4000-8000-000000000065', 'founding_member', 'eti_ge', '2002-10-08', NULL),
  ('c4000000-0000-4000-8000-000000000073', 'c1000000-0000-4000-8000-000000000006', 'c2000000-0000-4000-8000-000000000065', 'member', 'eti_ge', '2008-10-14', NULL),
  ('c4000000-0000-4000-8000-000000000074', 'c1000000-0000-4000-8000-000000000017', 'c2000000-0000-4000-8000-000000000066', 'board_member', 'pme', '2002-10-08', NULL),
  ('c4000000-0000-4000-8000-000000000075', 'c1000000-0000-4000-8000-000000000017', 'c2000000-0000-4000-8000-000000000067', 'member', 'pme', '2003-05-20', NULL)
ON CONFLICT DO NOTHING;


-- Partners of the clusters: c5000000-0000-4000-8000-000000000NNN.
INSERT INTO cluster_partners (id, cluster_id, partner_id, role, since)
VALUES
  ('c5000000-0000-4000-8000-000000000001', 'c1000000-0000-4000-8000-000000000001', 'c3000000-0000-4000-8000-000000000005', 'funder', '2016-01-01'),
  ('c5000000-0000-4000-8000-000000000002', 'c1000000-0000-4000-8000-000000000001', 'c3000000-0000-4000-8000-000000000003', 'support', '2006-09-14'),
  ('c5000000-0000-4000-8000-000000000003', 'c1000000-0000-4000-8000-000000000001', 'c3000000-0000-4000-8000-000000000011', 'academic', '2015-09-01'),
  ('c5000000-0000-4000-8000-000000000004', 'c1000000-0000-4000-8000-000000000001', 'c3000000-0000-4000-8000-000000000020', 'other', '2007-01-15'),
  ('c5000000-0000-4000-8000-000000000005', 'c1000000-0000-4000-8000-000000000002', 'c3000000-0000-4000-8000-000000000018', 'support', '2017-03-06'),
  ('c5000000-0000-4000-8000-000000000006', 'c1000000-0000-4000-8000-000000000002', 'c3000000-0000-4000-8000-000000000012', 'academic', '2010-09-01'),
  ('c5000000-0000-4000-8000-000000000007', 'c1000000-0000-4000-8000-000000000003', 'c3000000-0000-4000-8000-000000000008', 'funder', '2011-10-06'),
  ('c5000000-0000-4000-8000-000000000008', 'c1000000-0000-4000-8000-000000000003', 'c3000000-0000-4000-8000-000000000010', 'funder', '2017-02-01'),
  ('c5000000-0000-4000-8000-000000000009', 'c1000000-0000-4000-8000-000000000004', 'c3000000-0000-4000-8000-000000000016', 'academic', '2005-07-12'),
  ('c5000000-0000-4000-8000-000000000010', 'c1000000-0000-4000-8000-000000000005', 'c3000000-0000-4000-8000-000000000005', 'funder', '2016-01-01'),
  ('c5000000-0000-4000-8000-000000000011', 'c1000000-0000-4000-8000-000000000005', 'c3000000-0000-4000-8000-000000000001', 'support', '2017-06-01'),
  ('c5000000-0000-4000-8000-000000000012', 'c1000000-0000-4000-8000-000000000005', 'c3000000-0000-4000-8000-000000000022', 'funder', '2014-01-01'),
  ('c5000000-0000-4000-8000-000000000013', 'c1000000-0000-4000-8000-000000000006', 'c3000000-0000-4000-8000-000000000002', 'support', '2017-09-01'),
  ('c5000000-0000-4000-8000-000000000014', 'c1000000-0000-4000-8000-000000000007', 'c3000000-0000-4000-8000-000000000014', 'academic', '2012-03-29'),
  ('c5000000-0000-4000-8000-000000000015', 'c1000000-0000-4000-8000-000000000008', 'c3000000-0000-4000-8000-000000000015', 'academic', '2005-07-12'),
  ('c5000000-0000-4000-8000-000000000016', 'c1000000-0000-4000-8000-000000000008', 'c3000000-0000-4000-8000-000000000017', 'support', '2005-07-12'),
  ('c5000000-0000-4000-8000-000000000017', 'c1000000-0000-4000-8000-000000000009', 'c3000000-0000-4000-8000-000000000013', 'academic', '2010-01-15'),
  ('c5000000-0000-4000-8000-000000000018', 'c1000000-0000-4000-8000-000000000010', 'c3000000-0000-4000-8000-000000000019', 'support', '2006-02-07'),
  ('c5000000-0000-4000-8000-000000000019', 'c1000000-0000-4000-8000-000000000011', 'c3000000-0000-4000-8000-000000000011', 'academic', '2015-09-01'),
  ('c5000000-0000-4000-8000-000000000020', 'c1000000-0000-4000-8000-000000000011', 'c3000000-0000-4000-8000-000000000003', 'support', '2010-06-22'),
  ('c5000000-0000-4000-8000-000000000021', 'c1000000-0000-4000-8000-000000000011', 'c3000000-0000-4000-8000-000000000022', 'funder', '2014-01-01'),
  ('c5000000-0000-4000-8000-000000000022', 'c1000000-0000-4000-8000-000000000012', 'c3000000-0000-4000-8000-000000000009', 'funder', '2013-04-09'),
  ('c5000000-0000-4000-8000-000000000023', 'c1000000-0000-4000-8000-000000000013', 'c3000000-0000-4000-8000-000000000023', 'other', '2001-12-04'),
  ('c5000000-0000-4000-8000-000000000024', 'c1000000-0000-4000-8000-000000000014', 'c3000000-0000-4000-8000-000000000012', 'academic', '2001-01-01'),
  ('c5000000-0000-4000-8000-000000000025', 'c1000000-0000-4000-8000-000000000015', 'c3000000-0000-4000-8000-000000000004', 'support', '2023-06-15'),
  ('c5000000-0000-4000-8000-000000000026', 'c1000000-0000-4000-8000-000000000015', 'c3000000-0000-4000-8000-000000000006', 'funder', '2018-05-28'),
  ('c5000000-0000-4000-8000-000000000027', 'c1000000-0000-4000-8000-000000000016', 'c3000000-0000-4000-8000-000000000007', 'funder', '2024-09-03'),
  ('c5000000-0000-4000-8000-000000000028', 'c1000000-0000-4000-8000-000000000017', 'c3000000-0000-4000-8000-000000000021', 'funder', '2017-01-01')
ON CONFLICT DO NOTHING;

-- Events: c6000000-0000-4000-8000-0000000000NN, seen from the week of 30 November 2026 (and
-- moved to the week of loading by pg_temp.demo_at): most are to come, from the next week to
-- seven months ahead, with their registrations still open; a few took place in the two months
-- before, one is cancelled and one (a general assembly) is not public; three are network-wide
-- (no organiser). Times are local: Paris time (Stuttgart and Logroño share it), La Réunion's
-- for its webinar. Venues in France carry their commune code and the commune's coordinates, as
-- elsewhere in this file; abroad, no commune code. waitlist_seq is the last waitlist position
-- handed out.
INSERT INTO events (id, title, description, kind, organizer_cluster_id, starts_at, ends_at, mode,
                    venue, location, online_url, capacity, waitlist, registration_closes_at, status,
                    public, waitlist_seq)
VALUES
(
  'c6000000-0000-4000-8000-000000000001', 'Atelier achats groupés d''énergie',
  'Électricité et gaz : bilan du premier contrat d''achat groupé des adhérents, calendrier de la prochaine consultation et méthode pour transmettre ses courbes de charge au courtier. Atelier destiné aux responsables achats et aux services généraux ; dix places, dans la salle de réunion du cluster.',
  'workshop', 'c1000000-0000-4000-8000-000000000001', pg_temp.demo_at('2027-01-14 09:30'), pg_temp.demo_at('2027-01-14 12:30'), 'in_person',
  '{"name": "Mont-Blanc Industries", "street": "137 avenue des Glières", "postal_code": "74300", "city": "Cluses", "commune_code": "74081"}',
  '{"lat": 46.0606, "lon": 6.5795}', NULL, 10, true, pg_temp.demo_at('2027-01-12 18:00'), 'scheduled', true, 3
),
(
  'c6000000-0000-4000-8000-000000000002', 'Mission export Allemagne – salon AMB Stuttgart',
  'Délégation de décolleteurs et d''usineurs de la vallée de l''Arve à l''AMB, le salon international de l''usinage des métaux : visite guidée des nouveautés en machines-outils et en outils coupants, rendez-vous d''affaires préparés avec des donneurs d''ordres du Bade-Wurtemberg et soirée de la délégation. Départ en car de Cluses.',
  'export_mission', 'c1000000-0000-4000-8000-000000000001', pg_temp.demo_at('2026-09-15 07:00'), pg_temp.demo_at('2026-09-17 18:00'), 'in_person',
  '{"name": "Messe Stuttgart", "street": "Messepiazza 1", "postal_code": "70629", "city": "Stuttgart", "commune_code": null}',
  '{"lat": 48.6936, "lon": 9.1925}', NULL, 12, true, pg_temp.demo_at('2026-07-03 17:00'), 'scheduled', true, 0
),
(
  'c6000000-0000-4000-8000-000000000003', 'Formation aux métiers de la lunette : polissage et finition des montures',
  'Deux jours de pratique avec un lunetier formateur : ponçage, tonnelage et polissage au touret des montures en acétate et en métal, contrôle de l''aspect avant le traitement de surface. Huit stagiaires au plus et pas de liste d''attente : une autre session sera ouverte dans quelques mois.',
  'training', 'c1000000-0000-4000-8000-000000000002', pg_temp.demo_at('2027-02-02 09:00'), pg_temp.demo_at('2027-02-03 17:00'), 'in_person',
  '{"name": "La Fabrique du Haut-Jura", "street": "5 rue Lamartine", "postal_code": "39400", "city": "Hauts de Bienne", "commune_code": "39368"}',
  '{"lat": 46.5225, "lon": 6.0250}', NULL, 8, false, pg_temp.demo_at('2027-01-26 18:00'), 'scheduled', true, 0
),
(
  'c6000000-0000-4000-8000-000000000004', 'Benchmark des pratiques RH de la filière bois',
  'Recrutement, fidélisation et formation des opérateurs de scierie et de seconde transformation. Chaque entreprise répond en amont à un questionnaire anonyme (rotation du personnel, absentéisme, heures de formation, salaires d''embauche) ; les résultats comparés sont présentés et discutés en séance entre dirigeants et responsables RH.',
  'benchmarking', 'c1000000-0000-4000-8000-000000000003', pg_temp.demo_at('2027-02-11 09:30'), pg_temp.demo_at('2027-02-11 13:00'), 'in_person',
  '{"name": "Landes Forêt Industries", "street": "24 rue du Général Lasserre", "postal_code": "40000", "city": "Mont-de-Marsan", "commune_code": "40192"}',
  '{"lat": 43.8902, "lon": -0.4998}', NULL, 30, true, pg_temp.demo_at('2027-02-08 13:00'), 'scheduled', true, 0
),
(
  'c6000000-0000-4000-8000-000000000005', 'Colloque : construire bas carbone avec le pin maritime',
  'Retours de chantiers de logements et d''équipements publics en ossature bois et en bois massif de pin maritime, classement mécanique des sciages, exigences de la RE2020 et approvisionnement local des entreprises de construction.',
  'conference', 'c1000000-0000-4000-8000-000000000003', pg_temp.demo_at('2026-10-08 09:30'), pg_temp.demo_at('2026-10-08 17:30'), 'hybrid',
  '{"name": "Landes Forêt Industries", "street": "24 rue du Général Lasserre", "postal_code": "40000", "city": "Mont-de-Marsan", "commune_code": "40192"}',
  '{"lat": 43.8902, "lon": -0.4998}', 'https://live.landes-foret-industries.example/colloque-pin-maritime', 120, true, pg_temp.demo_at('2026-10-06 14:00'), 'scheduled', true, 0
),
(
  'c6000000-0000-4000-8000-000000000006', 'Journée avion bas carbone : propulsion hydrogène et électrique',
  'Feuilles de route des avionneurs et des motoristes, projets labellisés par le pôle sur les piles à combustible, le stockage d''hydrogène liquide et l''hybridation électrique, ateliers sur la qualification des nouveaux matériaux. Rendez-vous d''affaires entre PME et donneurs d''ordres l''après-midi ; conférences retransmises en ligne.',
  'conference', 'c1000000-0000-4000-8000-000000000004', pg_temp.demo_at('2027-03-18 09:00'), pg_temp.demo_at('2027-03-18 17:30'), 'hybrid',
  '{"name": "Centre de congrès Pierre Baudis", "street": "11 esplanade Compans Caffarelli", "postal_code": "31000", "city": "Toulouse", "commune_code": "31555"}',
  '{"lat": 43.6045, "lon": 1.4440}', 'https://live.aero-garonne-pyrenees.example/avion-bas-carbone', 250, true, pg_temp.demo_at('2027-03-16 13:00'), 'scheduled', true, 0
),
(
  'c6000000-0000-4000-8000-000000000007', 'Assemblée générale annuelle',
  'Assemblée générale ordinaire des adhérents : rapport moral et rapport d''activité de l''exercice écoulé, approbation des comptes, cotisations de l''année suivante et renouvellement par tiers du conseil d''administration. Réservée aux représentants des membres ; vote à distance possible.',
  'general_assembly', 'c1000000-0000-4000-8000-000000000004', pg_temp.demo_at('2027-06-10 14:00'), pg_temp.demo_at('2027-06-10 17:00'), 'hybrid',
  '{"name": "Aéro Garonne Pyrénées", "street": "2 avenue Édouard Belin", "postal_code": "31400", "city": "Toulouse", "commune_code": "31555"}',
  '{"lat": 43.6045, "lon": 1.4440}', 'https://live.aero-garonne-pyrenees.example/assemblee-generale', NULL, true, pg_temp.demo_at('2027-06-03 14:00'), 'scheduled', false, 0
),
(
  'c6000000-0000-4000-8000-000000000008', 'Atelier veille réglementaire : REACH et matières recyclées',
  'Revue des restrictions REACH qui concernent les transformateurs (additifs, microplastiques ajoutés intentionnellement) et des exigences de traçabilité des matières recyclées dans les pièces injectées. Animé par le service de veille mutualisée du cluster, à partir des questions envoyées à l''avance par les participants.',
  'workshop', 'c1000000-0000-4000-8000-000000000005', pg_temp.demo_at('2027-01-28 14:00'), pg_temp.demo_at('2027-01-28 17:00'), 'in_person',
  '{"name": "Oyonnax Plastics Vallée", "street": "85 rue Anatole France", "postal_code": "01100", "city": "Oyonnax", "commune_code": "01283"}',
  '{"lat": 46.2564, "lon": 5.6556}', NULL, 20, true, pg_temp.demo_at('2027-01-25 18:00'), 'scheduled', true, 0
),
(
  'c6000000-0000-4000-8000-000000000009', 'Salon de la sous-traitance plasturgie du Haut-Bugey',
  'Deux jours d''exposition des savoir-faire de la vallée : injection, moules et outillages, décoration, recyclage. Stands des adhérents, démonstrations sur presses et rendez-vous d''affaires avec des acheteurs de l''automobile, de la cosmétique et de l''électroménager. Entrée libre sur inscription.',
  'trade_fair', 'c1000000-0000-4000-8000-000000000005', pg_temp.demo_at('2027-05-19 09:00'), pg_temp.demo_at('2027-05-20 17:00'), 'in_person',
  '{"name": "Pôle Européen de Plasturgie", "street": "2 rue Pierre et Marie Curie", "postal_code": "01100", "city": "Bellignat", "commune_code": "01031"}',
  '{"lat": 46.2486, "lon": 5.6292}', NULL, NULL, true, NULL, 'scheduled', true, 0
),
(
  'c6000000-0000-4000-8000-000000000010', 'Webinaire : rédiger le rapport sur la sécurité d''un produit cosmétique',
  'Ce que le règlement européen sur les produits cosmétiques exige dans le rapport sur la sécurité (parties A et B), les données à demander aux fournisseurs d''ingrédients et les erreurs le plus souvent relevées lors des contrôles. Pour les responsables réglementaires des marques et des façonniers.',
  'webinar', 'c1000000-0000-4000-8000-000000000006', pg_temp.demo_at('2026-12-08 10:00'), pg_temp.demo_at('2026-12-08 11:30'), 'online',
  NULL,
  NULL, 'https://visio.parfums-cosmetiques-vallee.example/rapport-securite', NULL, true, pg_temp.demo_at('2026-12-08 09:00'), 'scheduled', true, 0
),
(
  'c6000000-0000-4000-8000-000000000011', 'Conférence : éco-concevoir flacons et emballages cosmétiques',
  'Verre allégé et recyclé, plastiques recyclés et monomatériaux, recharges : verriers, plasturgistes et marques partagent leurs résultats, leurs coûts et les attentes de la distribution. Avec la Vallée du Verre de la Bresle et Oyonnax Plastics Vallée.',
  'conference', 'c1000000-0000-4000-8000-000000000006', pg_temp.demo_at('2027-04-08 09:30'), pg_temp.demo_at('2027-04-08 17:30'), 'hybrid',
  '{"name": "Parfums & Cosmétiques Vallée", "street": "1 place de la Cathédrale", "postal_code": "28000", "city": "Chartres", "commune_code": "28085"}',
  '{"lat": 48.4469, "lon": 1.4892}', 'https://visio.parfums-cosmetiques-vallee.example/eco-conception', 150, true, pg_temp.demo_at('2027-04-06 14:00'), 'scheduled', true, 0
),
(
  'c6000000-0000-4000-8000-000000000012', 'Atelier textiles recyclés : du tri à la fibre',
  'Visite de la plateforme de recherche de l''ENSAIT, puis atelier entre trieurs, filateurs et tisseurs : qualité des fibres issues de textiles usagés, effilochage, mélanges avec des fibres vierges et débouchés dans le textile technique et l''habillement.',
  'workshop', 'c1000000-0000-4000-8000-000000000007', pg_temp.demo_at('2027-02-25 14:00'), pg_temp.demo_at('2027-02-25 18:00'), 'in_person',
  '{"name": "ENSAIT", "street": "2 allée Louise et Victor Champier", "postal_code": "59100", "city": "Roubaix", "commune_code": "59512"}',
  '{"lat": 50.6942, "lon": 3.1746}', NULL, 25, true, pg_temp.demo_at('2027-02-22 18:00'), 'scheduled', true, 0
),
(
  'c6000000-0000-4000-8000-000000000013', 'Afterwork de la relocalisation textile',
  'Rencontre entre marques de mode, confectionneurs et tisseurs du Nord qui veulent produire plus près : témoignages de relocalisations réussies, besoins en capacités de confection et échanges autour d''un verre.',
  'networking', 'c1000000-0000-4000-8000-000000000007', pg_temp.demo_at('2026-11-05 18:00'), pg_temp.demo_at('2026-11-05 20:30'), 'in_person',
  '{"name": "Nord Textiles Innovants", "street": "41 boulevard du Général Leclerc", "postal_code": "59100", "city": "Roubaix", "commune_code": "59512"}',
  '{"lat": 50.6942, "lon": 3.1746}', NULL, 60, true, NULL, 'scheduled', true, 0
),
(
  'c6000000-0000-4000-8000-000000000014', 'Journées des énergies marines renouvelables',
  'Deux jours sur l''éolien flottant, les hydroliennes et les infrastructures portuaires qu''ils demandent : appels d''offres en cours, retours des fermes pilotes, chaîne de sous-traitance bretonne et compétences à former. Séances plénières retransmises en ligne.',
  'conference', 'c1000000-0000-4000-8000-000000000008', pg_temp.demo_at('2027-05-19 09:00'), pg_temp.demo_at('2027-05-20 17:30'), 'hybrid',
  '{"name": "Le Quartz", "street": "60 rue du Château", "postal_code": "29200", "city": "Brest", "commune_code": "29019"}',
  '{"lat": 48.3904, "lon": -4.4861}', 'https://live.mer-atlantique-innovation.example/energies-marines', 300, true, pg_temp.demo_at('2027-05-14 14:00'), 'scheduled', true, 0
),
(
  'c6000000-0000-4000-8000-000000000015', 'Visite des bassins d''essais de l''Ifremer',
  'Visite des bassins d''essais et des laboratoires de technologie marine du centre Ifremer de Bretagne, avec les ingénieurs qui y qualifient flotteurs, ancrages et capteurs. Annulée : les installations sont fermées pour travaux ce jour-là ; une nouvelle date sera proposée dès leur réouverture.',
  'other', 'c1000000-0000-4000-8000-000000000008', pg_temp.demo_at('2027-01-21 14:00'), pg_temp.demo_at('2027-01-21 17:00'), 'in_person',
  '{"name": "Ifremer – Centre de Bretagne", "street": "1625 route de Sainte-Anne", "postal_code": "29280", "city": "Plouzané", "commune_code": "29212"}',
  '{"lat": 48.3822, "lon": -4.6192}', NULL, 15, true, pg_temp.demo_at('2027-01-14 18:00'), 'cancelled', true, 0
),
(
  'c6000000-0000-4000-8000-000000000016', 'Atelier innovation produit : les protéines végétales',
  'Une journée pour imaginer des produits laitiers et traiteur qui associent protéines animales et végétales : tendances de consommation, contraintes de formulation et de goût, étiquetage, essais pilotes possibles avec les laboratoires partenaires. Créativité en petits groupes, animée par le cluster.',
  'workshop', 'c1000000-0000-4000-8000-000000000009', pg_temp.demo_at('2027-03-04 09:30'), pg_temp.demo_at('2027-03-04 17:00'), 'in_person',
  '{"name": "Centre de congrès d''Angers", "street": "33 boulevard Carnot", "postal_code": "49100", "city": "Angers", "commune_code": "49007"}',
  '{"lat": 47.4784, "lon": -0.5632}', NULL, 20, true, pg_temp.demo_at('2027-02-25 18:00'), 'scheduled', true, 0
),
(
  'c6000000-0000-4000-8000-000000000017', 'Cybersécurité des PME industrielles : retours d''expérience',
  'Des dirigeants de PME racontent une attaque par rançongiciel et la reprise de leur production ; des éditeurs et intégrateurs du pôle présentent les mesures qui coûtent peu et protègent beaucoup : sauvegardes hors ligne, segmentation des réseaux d''atelier, authentification forte. Table ronde sur les obligations de la directive NIS 2.',
  'conference', 'c1000000-0000-4000-8000-000000000010', pg_temp.demo_at('2027-02-16 14:30'), pg_temp.demo_at('2027-02-16 18:30'), 'hybrid',
  '{"name": "Station F", "street": "5 parvis Alan Turing", "postal_code": "75013", "city": "Paris", "commune_code": "75056"}',
  '{"lat": 48.8566, "lon": 2.3522}', 'https://live.paris-region-numerique.example/cybersecurite-pme', 200, true, pg_temp.demo_at('2027-02-15 13:00'), 'scheduled', true, 0
),
(
  'c6000000-0000-4000-8000-000000000018', 'Formation : monter un projet collaboratif Horizon Europe',
  'Trouver l''appel adapté, réunir un consortium européen, rédiger les parties excellence, impact et mise en œuvre, bâtir le budget : une matinée en ligne, avec des exercices sur des propositions réelles anonymisées.',
  'training', 'c1000000-0000-4000-8000-000000000010', pg_temp.demo_at('2027-03-23 09:30'), pg_temp.demo_at('2027-03-23 13:00'), 'online',
  NULL,
  NULL, 'https://visio.paris-region-numerique.example/formation-horizon-europe', 40, true, pg_temp.demo_at('2027-03-19 18:00'), 'scheduled', true, 0
),
(
  'c6000000-0000-4000-8000-000000000019', 'Benchmark de l''éco-conception des équipements outdoor',
  'Chaque marque participante évalue en amont trois de ses produits avec la même grille (part de matières recyclées ou biosourcées, réparabilité, masse, emballage) ; la matinée compare les résultats et les pistes qui ont le mieux marché, de la veste au ski de randonnée.',
  'benchmarking', 'c1000000-0000-4000-8000-000000000011', pg_temp.demo_at('2027-04-22 09:30'), pg_temp.demo_at('2027-04-22 13:30'), 'in_person',
  '{"name": "Impérial Palace", "street": "Allée de l''Impérial", "postal_code": "74000", "city": "Annecy", "commune_code": "74010"}',
  '{"lat": 45.8992, "lon": 6.1294}', NULL, 30, true, pg_temp.demo_at('2027-04-16 18:00'), 'scheduled', true, 0
),
(
  'c6000000-0000-4000-8000-000000000020', 'Soirée réseau : marques et sous-traitants de l''outdoor',
  'Rencontre entre les marques de sports de montagne et les sous-traitants de la région (textile technique, injection, usinage, assemblage de cycles) : présentations éclair de cinq entreprises, puis échanges libres.',
  'networking', 'c1000000-0000-4000-8000-000000000011', pg_temp.demo_at('2026-12-10 18:00'), pg_temp.demo_at('2026-12-10 21:00'), 'in_person',
  '{"name": "Alpes Sports Outdoor", "street": "3 avenue du Rhône", "postal_code": "74000", "city": "Annecy", "commune_code": "74010"}',
  '{"lat": 45.8992, "lon": 6.1294}', NULL, 80, true, pg_temp.demo_at('2026-12-09 12:00'), 'scheduled', true, 0
),
(
  'c6000000-0000-4000-8000-000000000021', 'Atelier déconstruction des bateaux de plaisance et recyclage des composites',
  'La filière de déconstruction des bateaux de plaisance hors d''usage : collecte, démantèlement, valorisation des résines et des fibres de verre, et éco-conception des futurs bateaux pour faciliter leur fin de vie. Retours des chantiers et de l''éco-organisme de la filière.',
  'workshop', 'c1000000-0000-4000-8000-000000000012', pg_temp.demo_at('2027-05-27 09:30'), pg_temp.demo_at('2027-05-27 13:30'), 'in_person',
  '{"name": "Espace Encan", "street": "Quai Louis Prunier", "postal_code": "17000", "city": "La Rochelle", "commune_code": "17300"}',
  '{"lat": 46.1603, "lon": -1.1511}', NULL, 40, true, pg_temp.demo_at('2027-05-21 18:00'), 'scheduled', true, 0
),
(
  'c6000000-0000-4000-8000-000000000022', 'Journée d''essais de robots de vigne',
  'Démonstrations au vignoble de robots électriques de travail du sol et d''enjambeurs équipés d''outils de désherbage mécanique, dans les rangs étroits champenois. Accueil au Comité Champagne, car jusqu''aux parcelles d''essai et retours des vignerons qui les utilisent.',
  'other', 'c1000000-0000-4000-8000-000000000013', pg_temp.demo_at('2027-06-17 09:00'), pg_temp.demo_at('2027-06-17 16:00'), 'in_person',
  '{"name": "Comité Champagne", "street": "5 rue Henri-Martin", "postal_code": "51200", "city": "Épernay", "commune_code": "51230"}',
  '{"lat": 49.0405, "lon": 3.9590}', NULL, 60, true, pg_temp.demo_at('2027-06-11 18:00'), 'scheduled', true, 0
),
(
  'c6000000-0000-4000-8000-000000000023', 'Formation : contrôle visuel des flacons décorés',
  'Défauts du verre et de la décoration (bouillons, plis, coulures, défauts de sérigraphie et de laquage), conditions d''éclairage et d''observation, échantillons limites partagés avec les clients parfumeurs. Une journée pour les contrôleurs et les chefs d''équipe des verreries et des ateliers de décoration.',
  'training', 'c1000000-0000-4000-8000-000000000017', pg_temp.demo_at('2027-03-10 09:00'), pg_temp.demo_at('2027-03-10 17:00'), 'in_person',
  '{"name": "Vallée du Verre de la Bresle", "street": "Rue Jean Jaurès", "postal_code": "76260", "city": "Eu", "commune_code": "76255"}',
  '{"lat": 50.0478, "lon": 1.4200}', NULL, 12, true, pg_temp.demo_at('2027-03-03 18:00'), 'scheduled', true, 0
),
(
  'c6000000-0000-4000-8000-000000000024', 'Webinaire : le stockage par batteries dans les sites isolés',
  'Dimensionner un stockage couplé au photovoltaïque pour un site non raccordé au réseau, choisir entre batteries neuves et de seconde vie, les entretenir en milieu tropical humide. À 10 h, heure de La Réunion.',
  'webinar', 'c1000000-0000-4000-8000-000000000016', pg_temp.demo_at('2027-02-16 10:00', 'Indian/Reunion'), pg_temp.demo_at('2027-02-16 11:30', 'Indian/Reunion'), 'online',
  NULL,
  NULL, 'https://visio.energies-ocean-indien.example/stockage-sites-isoles', 100, true, NULL, 'scheduled', true, 0
),
(
  'c6000000-0000-4000-8000-000000000025', 'Rencontres nationales des clusters',
  'Le rendez-vous annuel des animateurs et des présidents de clusters, de grappes d''entreprises et de pôles de compétitivité : actions collectives qui ont marché, financement de l''animation, mutualisation entre réseaux, labels et comparaison des indicateurs. Plénières retransmises en ligne, ateliers sur place.',
  'conference', NULL, pg_temp.demo_at('2027-06-03 09:30'), pg_temp.demo_at('2027-06-04 15:00'), 'hybrid',
  '{"name": "Cité des sciences et de l''industrie", "street": "30 avenue Corentin Cariou", "postal_code": "75019", "city": "Paris", "commune_code": "75056"}',
  '{"lat": 48.8566, "lon": 2.3522}', 'https://live.rencontres-clusters.example/rencontres-nationales', 400, true, pg_temp.demo_at('2027-05-28 18:00'), 'scheduled', true, 0
),
(
  'c6000000-0000-4000-8000-000000000026', 'Webinaire : financer l''innovation avec Bpifrance',
  'Subventions, avances remboursables et prêts d''amorçage : les aides à l''innovation de Bpifrance pour les PME membres de clusters, les critères d''éligibilité et le calendrier d''un dossier, avec des chargés d''affaires et deux entreprises accompagnées.',
  'webinar', NULL, pg_temp.demo_at('2026-12-10 14:00'), pg_temp.demo_at('2026-12-10 15:30'), 'online',
  NULL,
  NULL, 'https://visio.rencontres-clusters.example/financer-innovation-bpifrance', NULL, true, NULL, 'scheduled', true, 0
),
(
  'c6000000-0000-4000-8000-000000000027', 'Webinaire : préparer le label ESCA',
  'Les critères examinés par le European Secretariat for Cluster Analysis pour les labels bronze, silver et gold, les pièces à réunir et le déroulement de l''entretien d''évaluation, avec deux clusters labellisés en 2025.',
  'webinar', NULL, pg_temp.demo_at('2026-10-13 10:00'), pg_temp.demo_at('2026-10-13 11:30'), 'online',
  NULL,
  NULL, 'https://visio.rencontres-clusters.example/label-esca', 100, true, NULL, 'scheduled', true, 0
),
(
  'c6000000-0000-4000-8000-000000000028', 'Mission export Espagne – vignobles de la Rioja',
  'Trois jours en Rioja pour les fabricants de pressoirs, de cuves et de matériel de vigne : visites de bodegas et de coopératives, rendez-vous d''affaires avec des distributeurs de matériel viticole et présentation collective des savoir-faire champenois.',
  'export_mission', 'c1000000-0000-4000-8000-000000000013', pg_temp.demo_at('2027-04-20 08:00'), pg_temp.demo_at('2027-04-22 19:00'), 'in_person',
  '{"name": "Logroño, rendez-vous d''affaires", "street": null, "postal_code": "26001", "city": "Logroño", "commune_code": null}',
  '{"lat": 42.4627, "lon": -2.4450}', NULL, 10, true, pg_temp.demo_at('2027-03-15 18:00'), 'scheduled', true, 0
)
ON CONFLICT DO NOTHING;

-- Registrations: c7000000-0000-4000-8000-000000000NNN. People and e-mail addresses are
-- invented (at the .example domains of the demo companies, clusters and partners); company_id is
-- set for people of a demo company. The workshop of event 01 is full (10 seats) with three people
-- on its waitlist. The cancel tokens of the demo are not secret: each hash is that of
-- 'demo-token-NNN'. Cancelled registrations are dated from the loading of this file.
INSERT INTO registrations (id, event_id, name, email, company_id, status, position, cancel_token_hash,
                           cancelled_at)
VALUES
  ('c7000000-0000-4000-8000-000000000001', 'c6000000-0000-4000-8000-000000000001', 'Claire Mollard', 'claire.mollard@decolletage-du-giffre.example', 'c2000000-0000-4000-8000-000000000001', 'confirmed', NULL, sha256(convert_to('demo-token-001', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000002', 'c6000000-0000-4000-8000-000000000001', 'Julien Perrillat', 'julien.perrillat@usinage-arve-precision.example', 'c2000000-0000-4000-8000-000000000002', 'confirmed', NULL, sha256(convert_to('demo-token-002', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000003', 'c6000000-0000-4000-8000-000000000001', 'Sandrine Bétemps', 'sandrine.betemps@mecanique-de-precision-du-faucigny.example', 'c2000000-0000-4000-8000-000000000003', 'confirmed', NULL, sha256(convert_to('demo-token-003', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000004', 'c6000000-0000-4000-8000-000000000001', 'Pierre Dunand', 'pierre.dunand@mecanique-de-precision-du-faucigny.example', 'c2000000-0000-4000-8000-000000000003', 'confirmed', NULL, sha256(convert_to('demo-token-004', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000005', 'c6000000-0000-4000-8000-000000000001', 'Nathalie Grandchamp', 'nathalie.grandchamp@ateliers-du-bargy.example', 'c2000000-0000-4000-8000-000000000004', 'confirmed', NULL, sha256(convert_to('demo-token-005', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000006', 'c6000000-0000-4000-8000-000000000001', 'Thomas Anthonioz', 'thomas.anthonioz@marnaz-tournage-automatique.example', 'c2000000-0000-4000-8000-000000000005', 'confirmed', NULL, sha256(convert_to('demo-token-006', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000007', 'c6000000-0000-4000-8000-000000000001', 'Isabelle Missillier', 'isabelle.missillier@traitements-de-surface-des-aravis.example', 'c2000000-0000-4000-8000-000000000006', 'confirmed', NULL, sha256(convert_to('demo-token-007', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000008', 'c6000000-0000-4000-8000-000000000001', 'Frédéric Cheneval', 'frederic.cheneval@outillages-carbure-du-mont-blanc.example', 'c2000000-0000-4000-8000-000000000007', 'confirmed', NULL, sha256(convert_to('demo-token-008', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000009', 'c6000000-0000-4000-8000-000000000001', 'Aurélie Pernat', 'aurelie.pernat@mecatronique-leman-arve.example', 'c2000000-0000-4000-8000-000000000008', 'confirmed', NULL, sha256(convert_to('demo-token-009', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000010', 'c6000000-0000-4000-8000-000000000001', 'Laurent Bouvard', 'laurent.bouvard@decolletages-reunis-de-cluses.example', 'c2000000-0000-4000-8000-000000000009', 'confirmed', NULL, sha256(convert_to('demo-token-010', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000011', 'c6000000-0000-4000-8000-000000000001', 'Stéphanie Jacquier', 'stephanie.jacquier@decolletages-reunis-de-cluses.example', 'c2000000-0000-4000-8000-000000000009', 'waitlisted', 1, sha256(convert_to('demo-token-011', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000012', 'c6000000-0000-4000-8000-000000000001', 'Romain Gay', 'romain.gay@usinage-arve-precision.example', 'c2000000-0000-4000-8000-000000000002', 'waitlisted', 2, sha256(convert_to('demo-token-012', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000013', 'c6000000-0000-4000-8000-000000000001', 'Émilie Favre-Félix', 'emilie.favre-felix@ateliers-du-bargy.example', 'c2000000-0000-4000-8000-000000000004', 'waitlisted', 3, sha256(convert_to('demo-token-013', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000014', 'c6000000-0000-4000-8000-000000000002', 'Claire Mollard', 'claire.mollard@decolletage-du-giffre.example', 'c2000000-0000-4000-8000-000000000001', 'confirmed', NULL, sha256(convert_to('demo-token-014', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000015', 'c6000000-0000-4000-8000-000000000002', 'Pierre Dunand', 'pierre.dunand@mecanique-de-precision-du-faucigny.example', 'c2000000-0000-4000-8000-000000000003', 'confirmed', NULL, sha256(convert_to('demo-token-015', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000016', 'c6000000-0000-4000-8000-000000000002', 'Marc Pollier', 'marc.pollier@usinage-arve-precision.example', 'c2000000-0000-4000-8000-000000000002', 'confirmed', NULL, sha256(convert_to('demo-token-016', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000017', 'c6000000-0000-4000-8000-000000000002', 'Laurent Bouvard', 'laurent.bouvard@decolletages-reunis-de-cluses.example', 'c2000000-0000-4000-8000-000000000009', 'confirmed', NULL, sha256(convert_to('demo-token-017', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000018', 'c6000000-0000-4000-8000-000000000002', 'Aurélie Pernat', 'aurelie.pernat@mecatronique-leman-arve.example', 'c2000000-0000-4000-8000-000000000008', 'confirmed', NULL, sha256(convert_to('demo-token-018', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000019', 'c6000000-0000-4000-8000-000000000003', 'Léa Vuillet', 'lea.vuillet@montures-du-risoux.example', 'c2000000-0000-4000-8000-000000000010', 'confirmed', NULL, sha256(convert_to('demo-token-019', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000020', 'c6000000-0000-4000-8000-000000000003', 'Hugo Cretin', 'hugo.cretin@montures-du-risoux.example', 'c2000000-0000-4000-8000-000000000010', 'confirmed', NULL, sha256(convert_to('demo-token-020', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000021', 'c6000000-0000-4000-8000-000000000003', 'Mathilde Bourgeois', 'mathilde.bourgeois@maison-bienne-lunettes.example', 'c2000000-0000-4000-8000-000000000011', 'confirmed', NULL, sha256(convert_to('demo-token-021', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000022', 'c6000000-0000-4000-8000-000000000003', 'Kévin Lamy', 'kevin.lamy@creations-lunetieres-des-rousses.example', 'c2000000-0000-4000-8000-000000000013', 'confirmed', NULL, sha256(convert_to('demo-token-022', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000023', 'c6000000-0000-4000-8000-000000000003', 'Océane Jobez', 'oceane.jobez@charnieres-et-composants-du-jura.example', 'c2000000-0000-4000-8000-000000000014', 'confirmed', NULL, sha256(convert_to('demo-token-023', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000024', 'c6000000-0000-4000-8000-000000000004', 'Jean-Marc Lafitte', 'jean-marc.lafitte@scierie-des-grands-pins.example', 'c2000000-0000-4000-8000-000000000015', 'confirmed', NULL, sha256(convert_to('demo-token-024', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000025', 'c6000000-0000-4000-8000-000000000004', 'Sophie Dubroca', 'sophie.dubroca@scierie-du-marensin.example', 'c2000000-0000-4000-8000-000000000016', 'confirmed', NULL, sha256(convert_to('demo-token-025', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000026', 'c6000000-0000-4000-8000-000000000004', 'Bertrand Lalanne', 'bertrand.lalanne@emballages-bois-de-gascogne.example', 'c2000000-0000-4000-8000-000000000019', 'confirmed', NULL, sha256(convert_to('demo-token-026', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000027', 'c6000000-0000-4000-8000-000000000004', 'Carole Duprat', 'carole.duprat@panneaux-landais.example', 'c2000000-0000-4000-8000-000000000020', 'confirmed', NULL, sha256(convert_to('demo-token-027', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000028', 'c6000000-0000-4000-8000-000000000004', 'Yannick Labarthe', 'yannick.labarthe@maisons-bois-du-val-de-leyre.example', 'c2000000-0000-4000-8000-000000000021', 'confirmed', NULL, sha256(convert_to('demo-token-028', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000029', 'c6000000-0000-4000-8000-000000000004', 'Hélène Castaing', 'helene.castaing@scierie-de-la-haute-lande.example', 'c2000000-0000-4000-8000-000000000017', 'cancelled', NULL, sha256(convert_to('demo-token-029', 'UTF8')), now()),
  ('c7000000-0000-4000-8000-000000000030', 'c6000000-0000-4000-8000-000000000005', 'Jean-Marc Lafitte', 'jean-marc.lafitte@scierie-des-grands-pins.example', 'c2000000-0000-4000-8000-000000000015', 'confirmed', NULL, sha256(convert_to('demo-token-030', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000031', 'c6000000-0000-4000-8000-000000000005', 'Patrick Darrigade', 'patrick.darrigade@scierie-et-caisserie-de-mimizan.example', 'c2000000-0000-4000-8000-000000000018', 'confirmed', NULL, sha256(convert_to('demo-token-031', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000032', 'c6000000-0000-4000-8000-000000000005', 'Yannick Labarthe', 'yannick.labarthe@maisons-bois-du-val-de-leyre.example', 'c2000000-0000-4000-8000-000000000021', 'confirmed', NULL, sha256(convert_to('demo-token-032', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000033', 'c6000000-0000-4000-8000-000000000005', 'Marion Sarraute', 'marion.sarraute@atelier-sarraute-architecture.example', NULL, 'confirmed', NULL, sha256(convert_to('demo-token-033', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000034', 'c6000000-0000-4000-8000-000000000006', 'Vincent Ducasse', 'vincent.ducasse@aerostructures-garonne.example', 'c2000000-0000-4000-8000-000000000022', 'confirmed', NULL, sha256(convert_to('demo-token-034', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000035', 'c6000000-0000-4000-8000-000000000006', 'Amandine Fourcade', 'amandine.fourcade@aerostructures-garonne.example', 'c2000000-0000-4000-8000-000000000022', 'confirmed', NULL, sha256(convert_to('demo-token-035', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000036', 'c6000000-0000-4000-8000-000000000006', 'Sébastien Lacoste', 'sebastien.lacoste@bigorre-usinage-aero.example', 'c2000000-0000-4000-8000-000000000023', 'confirmed', NULL, sha256(convert_to('demo-token-036', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000037', 'c6000000-0000-4000-8000-000000000006', 'Camille Sabatier', 'camille.sabatier@drones-occitanie-systemes.example', 'c2000000-0000-4000-8000-000000000024', 'confirmed', NULL, sha256(convert_to('demo-token-037', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000038', 'c6000000-0000-4000-8000-000000000006', 'Julien Perrillat', 'julien.perrillat@usinage-arve-precision.example', 'c2000000-0000-4000-8000-000000000002', 'confirmed', NULL, sha256(convert_to('demo-token-038', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000039', 'c6000000-0000-4000-8000-000000000006', 'Anne-Laure Mercadier', 'anne-laure.mercadier@onera-centre-de-toulouse.example', NULL, 'confirmed', NULL, sha256(convert_to('demo-token-039', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000040', 'c6000000-0000-4000-8000-000000000007', 'Vincent Ducasse', 'vincent.ducasse@aerostructures-garonne.example', 'c2000000-0000-4000-8000-000000000022', 'confirmed', NULL, sha256(convert_to('demo-token-040', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000041', 'c6000000-0000-4000-8000-000000000007', 'Sébastien Lacoste', 'sebastien.lacoste@bigorre-usinage-aero.example', 'c2000000-0000-4000-8000-000000000023', 'confirmed', NULL, sha256(convert_to('demo-token-041', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000042', 'c6000000-0000-4000-8000-000000000007', 'Camille Sabatier', 'camille.sabatier@drones-occitanie-systemes.example', 'c2000000-0000-4000-8000-000000000024', 'confirmed', NULL, sha256(convert_to('demo-token-042', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000043', 'c6000000-0000-4000-8000-000000000007', 'Marc Pollier', 'marc.pollier@usinage-arve-precision.example', 'c2000000-0000-4000-8000-000000000002', 'confirmed', NULL, sha256(convert_to('demo-token-043', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000044', 'c6000000-0000-4000-8000-000000000008', 'Christophe Mermet', 'christophe.mermet@injection-plastique-du-haut-bugey.example', 'c2000000-0000-4000-8000-000000000025', 'confirmed', NULL, sha256(convert_to('demo-token-044', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000045', 'c6000000-0000-4000-8000-000000000008', 'Valérie Humbert', 'valerie.humbert@moules-et-outillages-de-bellignat.example', 'c2000000-0000-4000-8000-000000000026', 'confirmed', NULL, sha256(convert_to('demo-token-045', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000046', 'c6000000-0000-4000-8000-000000000008', 'Nicolas Berthet', 'nicolas.berthet@regeneration-polymeres-de-lain.example', 'c2000000-0000-4000-8000-000000000028', 'confirmed', NULL, sha256(convert_to('demo-token-046', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000047', 'c6000000-0000-4000-8000-000000000008', 'Agnès Rochet', 'agnes.rochet@flaconnage-plastique-de-la-cluse.example', 'c2000000-0000-4000-8000-000000000029', 'confirmed', NULL, sha256(convert_to('demo-token-047', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000048', 'c6000000-0000-4000-8000-000000000008', 'Damien Grosjean', 'damien.grosjean@arbent-plastiques-optiques.example', 'c2000000-0000-4000-8000-000000000027', 'cancelled', NULL, sha256(convert_to('demo-token-048', 'UTF8')), now()),
  ('c7000000-0000-4000-8000-000000000049', 'c6000000-0000-4000-8000-000000000009', 'Christophe Mermet', 'christophe.mermet@injection-plastique-du-haut-bugey.example', 'c2000000-0000-4000-8000-000000000025', 'confirmed', NULL, sha256(convert_to('demo-token-049', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000050', 'c6000000-0000-4000-8000-000000000009', 'Fabien Carrier', 'fabien.carrier@arbent-plastiques-optiques.example', 'c2000000-0000-4000-8000-000000000027', 'confirmed', NULL, sha256(convert_to('demo-token-050', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000051', 'c6000000-0000-4000-8000-000000000009', 'Pascale Vuaillat', 'pascale.vuaillat@moules-et-outillages-de-bellignat.example', 'c2000000-0000-4000-8000-000000000026', 'confirmed', NULL, sha256(convert_to('demo-token-051', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000052', 'c6000000-0000-4000-8000-000000000010', 'Émilie Chevallier', 'emilie.chevallier@laboratoires-cosmetiques-de-la-beauce.example', 'c2000000-0000-4000-8000-000000000030', 'confirmed', NULL, sha256(convert_to('demo-token-052', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000053', 'c6000000-0000-4000-8000-000000000010', 'Olivier Tessier', 'olivier.tessier@groupe-beaute-ligerienne.example', 'c2000000-0000-4000-8000-000000000031', 'confirmed', NULL, sha256(convert_to('demo-token-053', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000054', 'c6000000-0000-4000-8000-000000000010', 'Claire Rousseau', 'claire.rousseau@extraits-vegetaux-de-touraine.example', 'c2000000-0000-4000-8000-000000000032', 'confirmed', NULL, sha256(convert_to('demo-token-054', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000055', 'c6000000-0000-4000-8000-000000000010', 'Gaëlle Le Floch', 'gaelle.lefloch@biomarine-cornouaille.example', 'c2000000-0000-4000-8000-000000000039', 'confirmed', NULL, sha256(convert_to('demo-token-055', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000056', 'c6000000-0000-4000-8000-000000000010', 'Agnès Rochet', 'agnes.rochet@flaconnage-plastique-de-la-cluse.example', 'c2000000-0000-4000-8000-000000000029', 'confirmed', NULL, sha256(convert_to('demo-token-056', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000057', 'c6000000-0000-4000-8000-000000000011', 'Céline Dufour', 'celine.dufour@flaconnerie-blangeoise.example', 'c2000000-0000-4000-8000-000000000065', 'confirmed', NULL, sha256(convert_to('demo-token-057', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000058', 'c6000000-0000-4000-8000-000000000011', 'Thierry Lenoir', 'thierry.lenoir@decor-verre-gamaches.example', 'c2000000-0000-4000-8000-000000000066', 'confirmed', NULL, sha256(convert_to('demo-token-058', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000059', 'c6000000-0000-4000-8000-000000000011', 'Olivier Tessier', 'olivier.tessier@groupe-beaute-ligerienne.example', 'c2000000-0000-4000-8000-000000000031', 'confirmed', NULL, sha256(convert_to('demo-token-059', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000060', 'c6000000-0000-4000-8000-000000000011', 'Agnès Rochet', 'agnes.rochet@flaconnage-plastique-de-la-cluse.example', 'c2000000-0000-4000-8000-000000000029', 'confirmed', NULL, sha256(convert_to('demo-token-060', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000061', 'c6000000-0000-4000-8000-000000000012', 'Benoît Vandamme', 'benoit.vandamme@tissage-roubaisien-moderne.example', 'c2000000-0000-4000-8000-000000000033', 'confirmed', NULL, sha256(convert_to('demo-token-061', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000062', 'c6000000-0000-4000-8000-000000000012', 'Sophie Delannoy', 'sophie.delannoy@filature-du-ferrain.example', 'c2000000-0000-4000-8000-000000000034', 'confirmed', NULL, sha256(convert_to('demo-token-062', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000063', 'c6000000-0000-4000-8000-000000000012', 'Caroline Wattel', 'caroline.wattel@textiles-techniques-du-nord.example', 'c2000000-0000-4000-8000-000000000036', 'confirmed', NULL, sha256(convert_to('demo-token-063', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000064', 'c6000000-0000-4000-8000-000000000012', 'Maxime Lefebvre', 'maxime.lefebvre@dentelles-de-caudry-creation.example', 'c2000000-0000-4000-8000-000000000035', 'confirmed', NULL, sha256(convert_to('demo-token-064', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000065', 'c6000000-0000-4000-8000-000000000013', 'Benoît Vandamme', 'benoit.vandamme@tissage-roubaisien-moderne.example', 'c2000000-0000-4000-8000-000000000033', 'confirmed', NULL, sha256(convert_to('demo-token-065', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000066', 'c6000000-0000-4000-8000-000000000013', 'Sophie Delannoy', 'sophie.delannoy@filature-du-ferrain.example', 'c2000000-0000-4000-8000-000000000034', 'confirmed', NULL, sha256(convert_to('demo-token-066', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000067', 'c6000000-0000-4000-8000-000000000013', 'Antoine Dhalluin', 'antoine.dhalluin@confection-dhalluin.example', NULL, 'confirmed', NULL, sha256(convert_to('demo-token-067', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000068', 'c6000000-0000-4000-8000-000000000014', 'Yann Le Goff', 'yann.legoff@hydroliennes-du-ponant.example', 'c2000000-0000-4000-8000-000000000038', 'confirmed', NULL, sha256(convert_to('demo-token-068', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000069', 'c6000000-0000-4000-8000-000000000014', 'Maëlle Kerjean', 'maelle.kerjean@hydroliennes-du-ponant.example', 'c2000000-0000-4000-8000-000000000038', 'confirmed', NULL, sha256(convert_to('demo-token-069', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000070', 'c6000000-0000-4000-8000-000000000014', 'Erwan Quéré', 'erwan.quere@chantiers-navals-de-liroise.example', 'c2000000-0000-4000-8000-000000000037', 'confirmed', NULL, sha256(convert_to('demo-token-070', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000071', 'c6000000-0000-4000-8000-000000000014', 'Soizic Le Bihan', 'soizic.lebihan@lorient-composites-marine.example', 'c2000000-0000-4000-8000-000000000040', 'confirmed', NULL, sha256(convert_to('demo-token-071', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000072', 'c6000000-0000-4000-8000-000000000014', 'Gwénaël Tanguy', 'gwenael.tanguy@ifremer-centre-de-bretagne.example', NULL, 'confirmed', NULL, sha256(convert_to('demo-token-072', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000073', 'c6000000-0000-4000-8000-000000000016', 'Anne Guérin', 'anne.guerin@fromagerie-du-bas-maine.example', 'c2000000-0000-4000-8000-000000000041', 'confirmed', NULL, sha256(convert_to('demo-token-073', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000074', 'c6000000-0000-4000-8000-000000000016', 'François Hamon', 'francois.hamon@semences-horticoles-de-lanjou.example', 'c2000000-0000-4000-8000-000000000042', 'confirmed', NULL, sha256(convert_to('demo-token-074', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000075', 'c6000000-0000-4000-8000-000000000016', 'Laëtitia Chauvin', 'laetitia.chauvin@emballages-alimentaires-choletais.example', 'c2000000-0000-4000-8000-000000000043', 'confirmed', NULL, sha256(convert_to('demo-token-075', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000076', 'c6000000-0000-4000-8000-000000000016', 'Mathieu Bellanger', 'mathieu.bellanger@universite-dangers.example', NULL, 'confirmed', NULL, sha256(convert_to('demo-token-076', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000077', 'c6000000-0000-4000-8000-000000000017', 'Karim Benali', 'karim.benali@rempart-numerique.example', 'c2000000-0000-4000-8000-000000000045', 'confirmed', NULL, sha256(convert_to('demo-token-077', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000078', 'c6000000-0000-4000-8000-000000000017', 'Élodie Marchal', 'elodie.marchal@algorithmes-et-lumiere.example', 'c2000000-0000-4000-8000-000000000044', 'confirmed', NULL, sha256(convert_to('demo-token-078', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000079', 'c6000000-0000-4000-8000-000000000017', 'Xavier Nguyen', 'xavier.nguyen@lexique-analytique.example', 'c2000000-0000-4000-8000-000000000047', 'confirmed', NULL, sha256(convert_to('demo-token-079', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000080', 'c6000000-0000-4000-8000-000000000017', 'Sylvie Morel', 'sylvie.morel@la-poste-pic-gonesse.example', 'c2000000-0000-4000-8000-000000000048', 'confirmed', NULL, sha256(convert_to('demo-token-080', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000081', 'c6000000-0000-4000-8000-000000000017', 'Aurélie Pernat', 'aurelie.pernat@mecatronique-leman-arve.example', 'c2000000-0000-4000-8000-000000000008', 'confirmed', NULL, sha256(convert_to('demo-token-081', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000082', 'c6000000-0000-4000-8000-000000000018', 'Inès Haddad', 'ines.haddad@studio-medias-immersifs.example', 'c2000000-0000-4000-8000-000000000046', 'confirmed', NULL, sha256(convert_to('demo-token-082', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000083', 'c6000000-0000-4000-8000-000000000018', 'Élodie Marchal', 'elodie.marchal@algorithmes-et-lumiere.example', 'c2000000-0000-4000-8000-000000000044', 'confirmed', NULL, sha256(convert_to('demo-token-083', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000084', 'c6000000-0000-4000-8000-000000000018', 'Xavier Nguyen', 'xavier.nguyen@lexique-analytique.example', 'c2000000-0000-4000-8000-000000000047', 'confirmed', NULL, sha256(convert_to('demo-token-084', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000085', 'c6000000-0000-4000-8000-000000000018', 'Guillaume Fabre', 'guillaume.fabre@algorithmes-et-lumiere.example', 'c2000000-0000-4000-8000-000000000044', 'cancelled', NULL, sha256(convert_to('demo-token-085', 'UTF8')), now()),
  ('c7000000-0000-4000-8000-000000000086', 'c6000000-0000-4000-8000-000000000019', 'Lucie Burnier', 'lucie.burnier@glisse-concept-annecy.example', 'c2000000-0000-4000-8000-000000000049', 'confirmed', NULL, sha256(convert_to('demo-token-086', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000087', 'c6000000-0000-4000-8000-000000000019', 'Olivier Montmasson', 'olivier.montmasson@cordages-et-securite-verticale.example', 'c2000000-0000-4000-8000-000000000050', 'confirmed', NULL, sha256(convert_to('demo-token-087', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000088', 'c6000000-0000-4000-8000-000000000019', 'Bastien Cochet', 'bastien.cochet@velos-de-montagne-du-semnoz.example', 'c2000000-0000-4000-8000-000000000051', 'confirmed', NULL, sha256(convert_to('demo-token-088', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000089', 'c6000000-0000-4000-8000-000000000019', 'Caroline Wattel', 'caroline.wattel@textiles-techniques-du-nord.example', 'c2000000-0000-4000-8000-000000000036', 'confirmed', NULL, sha256(convert_to('demo-token-089', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000090', 'c6000000-0000-4000-8000-000000000020', 'Lucie Burnier', 'lucie.burnier@glisse-concept-annecy.example', 'c2000000-0000-4000-8000-000000000049', 'confirmed', NULL, sha256(convert_to('demo-token-090', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000091', 'c6000000-0000-4000-8000-000000000020', 'Bastien Cochet', 'bastien.cochet@velos-de-montagne-du-semnoz.example', 'c2000000-0000-4000-8000-000000000051', 'confirmed', NULL, sha256(convert_to('demo-token-091', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000092', 'c6000000-0000-4000-8000-000000000020', 'Jérôme Tissot', 'jerome.tissot@cordages-et-securite-verticale.example', 'c2000000-0000-4000-8000-000000000050', 'confirmed', NULL, sha256(convert_to('demo-token-092', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000093', 'c6000000-0000-4000-8000-000000000021', 'Fanny Guillon', 'fanny.guillon@deconstruction-nautique-atlantique.example', 'c2000000-0000-4000-8000-000000000054', 'confirmed', NULL, sha256(convert_to('demo-token-093', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000094', 'c6000000-0000-4000-8000-000000000021', 'Régis Bonnin', 'regis.bonnin@chantier-naval-des-minimes.example', 'c2000000-0000-4000-8000-000000000052', 'confirmed', NULL, sha256(convert_to('demo-token-094', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000095', 'c6000000-0000-4000-8000-000000000021', 'Morgane Giraud', 'morgane.giraud@voilerie-rochelaise.example', 'c2000000-0000-4000-8000-000000000053', 'confirmed', NULL, sha256(convert_to('demo-token-095', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000096', 'c6000000-0000-4000-8000-000000000021', 'Soizic Le Bihan', 'soizic.lebihan@lorient-composites-marine.example', 'c2000000-0000-4000-8000-000000000040', 'confirmed', NULL, sha256(convert_to('demo-token-096', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000097', 'c6000000-0000-4000-8000-000000000022', 'Arnaud Collard', 'arnaud.collard@enjambeurs-de-la-cote-des-bar.example', 'c2000000-0000-4000-8000-000000000057', 'confirmed', NULL, sha256(convert_to('demo-token-097', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000098', 'c6000000-0000-4000-8000-000000000022', 'Delphine Gosset', 'delphine.gosset@pressoirs-champenois.example', 'c2000000-0000-4000-8000-000000000055', 'confirmed', NULL, sha256(convert_to('demo-token-098', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000099', 'c6000000-0000-4000-8000-000000000022', 'Étienne Jacquinet', 'etienne.jacquinet@comite-champagne.example', NULL, 'confirmed', NULL, sha256(convert_to('demo-token-099', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000100', 'c6000000-0000-4000-8000-000000000023', 'Sabrina Lecomte', 'sabrina.lecomte@flaconnerie-blangeoise.example', 'c2000000-0000-4000-8000-000000000065', 'confirmed', NULL, sha256(convert_to('demo-token-100', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000101', 'c6000000-0000-4000-8000-000000000023', 'Kévin Dupuis', 'kevin.dupuis@decor-verre-gamaches.example', 'c2000000-0000-4000-8000-000000000066', 'confirmed', NULL, sha256(convert_to('demo-token-101', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000102', 'c6000000-0000-4000-8000-000000000023', 'Jérémy Caron', 'jeremy.caron@decor-verre-gamaches.example', 'c2000000-0000-4000-8000-000000000066', 'confirmed', NULL, sha256(convert_to('demo-token-102', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000103', 'c6000000-0000-4000-8000-000000000024', 'Jean-Paul Hoarau', 'jean-paul.hoarau@solaire-bourbon-energies.example', 'c2000000-0000-4000-8000-000000000063', 'confirmed', NULL, sha256(convert_to('demo-token-103', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000104', 'c6000000-0000-4000-8000-000000000024', 'Mélissa Payet', 'melissa.payet@stockage-ilien.example', 'c2000000-0000-4000-8000-000000000064', 'confirmed', NULL, sha256(convert_to('demo-token-104', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000105', 'c6000000-0000-4000-8000-000000000025', 'Anne Berthollet', 'anne.berthollet@mont-blanc-industries.example', NULL, 'confirmed', NULL, sha256(convert_to('demo-token-105', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000106', 'c6000000-0000-4000-8000-000000000025', 'Florence Idrac', 'florence.idrac@aero-garonne-pyrenees.example', NULL, 'confirmed', NULL, sha256(convert_to('demo-token-106', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000107', 'c6000000-0000-4000-8000-000000000025', 'Loïc Le Guen', 'loic.leguen@mer-atlantique-innovation.example', NULL, 'confirmed', NULL, sha256(convert_to('demo-token-107', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000108', 'c6000000-0000-4000-8000-000000000025', 'Marine Cordier', 'marine.cordier@agro-ouest-innovation.example', NULL, 'confirmed', NULL, sha256(convert_to('demo-token-108', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000109', 'c6000000-0000-4000-8000-000000000025', 'Hervé Lemaire', 'herve.lemaire@nord-textiles-innovants.example', NULL, 'confirmed', NULL, sha256(convert_to('demo-token-109', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000110', 'c6000000-0000-4000-8000-000000000025', 'Charlotte Pasquier', 'charlotte.pasquier@cluster-nautique-atlantique.example', NULL, 'confirmed', NULL, sha256(convert_to('demo-token-110', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000111', 'c6000000-0000-4000-8000-000000000025', 'Samuel Grondin', 'samuel.grondin@energies-ocean-indien.example', NULL, 'confirmed', NULL, sha256(convert_to('demo-token-111', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000112', 'c6000000-0000-4000-8000-000000000026', 'Claire Mollard', 'claire.mollard@decolletage-du-giffre.example', 'c2000000-0000-4000-8000-000000000001', 'confirmed', NULL, sha256(convert_to('demo-token-112', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000113', 'c6000000-0000-4000-8000-000000000026', 'Yann Le Goff', 'yann.legoff@hydroliennes-du-ponant.example', 'c2000000-0000-4000-8000-000000000038', 'confirmed', NULL, sha256(convert_to('demo-token-113', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000114', 'c6000000-0000-4000-8000-000000000026', 'Inès Haddad', 'ines.haddad@studio-medias-immersifs.example', 'c2000000-0000-4000-8000-000000000046', 'confirmed', NULL, sha256(convert_to('demo-token-114', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000115', 'c6000000-0000-4000-8000-000000000026', 'Delphine Gosset', 'delphine.gosset@pressoirs-champenois.example', 'c2000000-0000-4000-8000-000000000055', 'confirmed', NULL, sha256(convert_to('demo-token-115', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000116', 'c6000000-0000-4000-8000-000000000026', 'Mélissa Payet', 'melissa.payet@stockage-ilien.example', 'c2000000-0000-4000-8000-000000000064', 'confirmed', NULL, sha256(convert_to('demo-token-116', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000117', 'c6000000-0000-4000-8000-000000000027', 'Anne Berthollet', 'anne.berthollet@mont-blanc-industries.example', NULL, 'confirmed', NULL, sha256(convert_to('demo-token-117', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000118', 'c6000000-0000-4000-8000-000000000027', 'Marine Cordier', 'marine.cordier@agro-ouest-innovation.example', NULL, 'confirmed', NULL, sha256(convert_to('demo-token-118', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000119', 'c6000000-0000-4000-8000-000000000027', 'Sandrine Perrin', 'sandrine.perrin@vallee-du-verre-bresle.example', NULL, 'confirmed', NULL, sha256(convert_to('demo-token-119', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000120', 'c6000000-0000-4000-8000-000000000027', 'Hervé Lemaire', 'herve.lemaire@nord-textiles-innovants.example', NULL, 'confirmed', NULL, sha256(convert_to('demo-token-120', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000121', 'c6000000-0000-4000-8000-000000000028', 'Delphine Gosset', 'delphine.gosset@pressoirs-champenois.example', 'c2000000-0000-4000-8000-000000000055', 'confirmed', NULL, sha256(convert_to('demo-token-121', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000122', 'c6000000-0000-4000-8000-000000000028', 'Paul Lemoine', 'paul.lemoine@inox-cuverie-day.example', 'c2000000-0000-4000-8000-000000000056', 'confirmed', NULL, sha256(convert_to('demo-token-122', 'UTF8')), NULL),
  ('c7000000-0000-4000-8000-000000000123', 'c6000000-0000-4000-8000-000000000028', 'Arnaud Collard', 'arnaud.collard@enjambeurs-de-la-cote-des-bar.example', 'c2000000-0000-4000-8000-000000000057', 'confirmed', NULL, sha256(convert_to('demo-token-123', 'UTF8')), NULL)
ON CONFLICT DO NOTHING;

-- Cooperation projects: c8000000-0000-4000-8000-0000000000NN, seen from November 2026 (and
-- moved to the month of loading by pg_temp.demo_on): every category and every status
-- (completed ones ended before, ideas start some months ahead or have no date yet). Led by demo clusters; the inter-cluster ones name the other clusters in
-- cluster_ids (uuids as text, in lower case, like the API stores them). Companies and partners
-- are demo ones; programmes are real funding schemes, amounts are invented.
INSERT INTO projects (id, title, summary, category, status, lead_cluster_id, cluster_ids, companies, partners,
                      funding, budget_eur, starts_on, ends_on)
VALUES
(
  'c8000000-0000-4000-8000-000000000001', 'Achats groupés d''énergie des industriels de l''Arve',
  'Groupement d''achat d''électricité et de gaz des industriels de la vallée de l''Arve, ouvert aux adhérents de la plasturgie et de l''outdoor : cahier des charges commun, appel d''offres par un courtier, suivi mensuel des consommations et des courbes de charge. Objectif : lisser la hausse des prix de l''énergie et mutualiser la veille sur les marchés.',
  'pooling', 'running', 'c1000000-0000-4000-8000-000000000001',
  '{c1000000-0000-4000-8000-000000000005,c1000000-0000-4000-8000-000000000011}',
  '[{"company_id": "c2000000-0000-4000-8000-000000000001", "role": "lead"},
    {"company_id": "c2000000-0000-4000-8000-000000000002", "role": "partner"},
    {"company_id": "c2000000-0000-4000-8000-000000000003", "role": "partner"},
    {"company_id": "c2000000-0000-4000-8000-000000000009", "role": "partner"},
    {"company_id": "c2000000-0000-4000-8000-000000000025", "role": "partner"},
    {"company_id": "c2000000-0000-4000-8000-000000000049", "role": "partner"}]',
  '[{"partner_id": "c3000000-0000-4000-8000-000000000005", "role": "funder"},
    {"partner_id": "c3000000-0000-4000-8000-000000000003", "role": "support"},
    {"partner_id": "c3000000-0000-4000-8000-000000000020", "role": "other"}]',
  '[{"source": "eu", "program": "FEDER Auvergne-Rhône-Alpes 2021-2027", "amount_eur": 60000, "status": "granted"},
    {"source": "region", "program": "AAP Région – Performance énergétique des PME", "amount_eur": 25000, "status": "paid"},
    {"source": "members", "program": null, "amount_eur": 40000, "status": "paid"}]',
  150000, pg_temp.demo_on('2026-01-01'), pg_temp.demo_on('2028-12-31')
),
(
  'c8000000-0000-4000-8000-000000000002', 'Mission export Allemagne – salon AMB de Stuttgart',
  'Délégation collective de décolleteurs et d''usineurs au salon AMB de Stuttgart : préparation des rendez-vous d''affaires avec des donneurs d''ordres du Bade-Wurtemberg, stand partagé, traduction des plaquettes et suivi des contacts après le salon.',
  'international', 'completed', 'c1000000-0000-4000-8000-000000000001', '{}',
  '[{"company_id": "c2000000-0000-4000-8000-000000000001", "role": "partner"},
    {"company_id": "c2000000-0000-4000-8000-000000000002", "role": "partner"},
    {"company_id": "c2000000-0000-4000-8000-000000000004", "role": "partner"},
    {"company_id": "c2000000-0000-4000-8000-000000000007", "role": "partner"}]',
  '[{"partner_id": "c3000000-0000-4000-8000-000000000003", "role": "support"},
    {"partner_id": "c3000000-0000-4000-8000-000000000001", "role": "support"}]',
  '[{"source": "region", "program": "Team France Export – chèque relance export", "amount_eur": 18000, "status": "paid"},
    {"source": "members", "program": null, "amount_eur": 12437.50, "status": "paid"}]',
  32000, pg_temp.demo_on('2026-03-01'), pg_temp.demo_on('2026-10-31')
),
(
  'c8000000-0000-4000-8000-000000000003', 'R&D collaborative sur l''usinage de précision du titane',
  'Projet de R&D entre décolleteurs savoyards et usineurs aéronautiques d''Occitanie : stratégies de coupe, outils carbure revêtus et contrôle en ligne pour l''usinage de précision des alliages de titane et de l''Inconel. Un démonstrateur de cellule d''usinage instrumentée sera installé à Scionzier.',
  'innovation', 'proof_of_concept', 'c1000000-0000-4000-8000-000000000001',
  '{c1000000-0000-4000-8000-000000000004}',
  '[{"company_id": "c2000000-0000-4000-8000-000000000002", "role": "lead"},
    {"company_id": "c2000000-0000-4000-8000-000000000003", "role": "partner"},
    {"company_id": "c2000000-0000-4000-8000-000000000022", "role": "partner"},
    {"company_id": "c2000000-0000-4000-8000-000000000023", "role": "partner"},
    {"company_id": "c2000000-0000-4000-8000-000000000007", "role": "subcontractor"}]',
  '[{"partner_id": "c3000000-0000-4000-8000-000000000011", "role": "academic"},
    {"partner_id": "c3000000-0000-4000-8000-000000000016", "role": "academic"},
    {"partner_id": "c3000000-0000-4000-8000-000000000022", "role": "funder"}]',
  '[{"source": "state", "program": "France 2030 – i-Démo", "amount_eur": 850000, "status": "requested"},
    {"source": "bpifrance", "program": "Bpifrance – Aide pour projet d''innovation", "amount_eur": 200000, "status": "granted"},
    {"source": "private", "program": null, "amount_eur": 650000, "status": "granted"}]',
  1900000, pg_temp.demo_on('2027-03-01'), pg_temp.demo_on('2030-02-28')
),
(
  'c8000000-0000-4000-8000-000000000004', 'Plateforme RH mutualisée de la lunetterie',
  'Une chargée de mission RH partagée entre les entreprises de la lunetterie du Haut-Jura et de la plasturgie optique : recrutement, plan de formation commun aux métiers de la lunette (polisseur, soudeur, monteur), groupement d''employeurs et accueil des nouveaux salariés.',
  'human_resources', 'running', 'c1000000-0000-4000-8000-000000000002',
  '{c1000000-0000-4000-8000-000000000005}',
  '[{"company_id": "c2000000-0000-4000-8000-000000000010", "role": "lead"},
    {"company_id": "c2000000-0000-4000-8000-000000000011", "role": "partner"},
    {"company_id": "c2000000-0000-4000-8000-000000000012", "role": "partner"},
    {"company_id": "c2000000-0000-4000-8000-000000000013", "role": "partner"},
    {"company_id": "c2000000-0000-4000-8000-000000000014", "role": "partner"},
    {"company_id": "c2000000-0000-4000-8000-000000000027", "role": "partner"}]',
  '[{"partner_id": "c3000000-0000-4000-8000-000000000018", "role": "support"},
    {"partner_id": "c3000000-0000-4000-8000-000000000012", "role": "academic"}]',
  '[{"source": "state", "program": "EDEC Mode et luxe", "amount_eur": 45000, "status": "granted"},
    {"source": "region", "program": "AAP Région Bourgogne-Franche-Comté – Compétences", "amount_eur": 30000, "status": "paid"},
    {"source": "members", "program": null, "amount_eur": 24000, "status": "paid"}]',
  110000, pg_temp.demo_on('2025-09-01'), pg_temp.demo_on('2027-08-31')
),
(
  'c8000000-0000-4000-8000-000000000005', 'Marque collective « Lunettes du Haut-Jura »',
  'Création et déploiement d''une marque collective garantissant la fabrication dans le Haut-Jura : charte et cahier des charges, audit des ateliers, identité visuelle, présence commune au SILMO et kit de communication pour les opticiens.',
  'communication', 'running', 'c1000000-0000-4000-8000-000000000002', '{}',
  '[{"company_id": "c2000000-0000-4000-8000-000000000010", "role": "partner"},
    {"company_id": "c2000000-0000-4000-8000-000000000011", "role": "partner"},
    {"company_id": "c2000000-0000-4000-8000-000000000013", "role": "partner"}]',
  '[{"partner_id": "c3000000-0000-4000-8000-000000000018", "role": "support"}]',
  '[{"source": "region", "program": "AAP Région – Marques territoriales", "amount_eur": 20000, "status": "granted"},
    {"source": "members", "program": null, "amount_eur": 15000, "status": "paid"}]',
  48000, pg_temp.demo_on('2026-02-01'), pg_temp.demo_on('2027-12-31')
),
(
  'c8000000-0000-4000-8000-000000000006', 'Achats groupés de lames et consommables de sciage',
  'Idée portée par les scieries du massif landais : regrouper les achats de lames, de pièces d''usure et de lubrifiants, et partager une veille sur les fournisseurs et les prix. À instruire avec les adhérents dans les prochains mois.',
  'pooling', 'idea', 'c1000000-0000-4000-8000-000000000003', '{}',
  '[{"company_id": "c2000000-0000-4000-8000-000000000015", "role": "partner"},
    {"company_id": "c2000000-0000-4000-8000-000000000016", "role": "partner"},
    {"company_id": "c2000000-0000-4000-8000-000000000017", "role": "partner"},
    {"company_id": "c2000000-0000-4000-8000-000000000018", "role": "partner"}]',
  '[{"partner_id": "c3000000-0000-4000-8000-000000000008", "role": "support"}]',
  '[]', NULL, NULL, NULL
),
(
  'c8000000-0000-4000-8000-000000000007', 'Panneaux isolants biosourcés issus des connexes de scierie',
  'Valorisation des écorces, sciures et plaquettes de pin maritime en panneaux isolants pour la construction bas carbone, avec un partenaire corse pour le liège et les fibres locales : formulation, ligne pilote à Tartas et essais de performance thermique et au feu.',
  'innovation', 'running', 'c1000000-0000-4000-8000-000000000003',
  '{c1000000-0000-4000-8000-000000000015}',
  '[{"company_id": "c2000000-0000-4000-8000-000000000020", "role": "lead"},
    {"company_id": "c2000000-0000-4000-8000-000000000015", "role": "partner"},
    {"company_id": "c2000000-0000-4000-8000-000000000021", "role": "partner"},
    {"company_id": "c2000000-0000-4000-8000-000000000062", "role": "partner"}]',
  '[{"partner_id": "c3000000-0000-4000-8000-000000000010", "role": "funder"},
    {"partner_id": "c3000000-0000-4000-8000-000000000008", "role": "funder"}]',
  '[{"source": "state", "program": "France 2030 – Biomasse et matériaux biosourcés", "amount_eur": 420000, "status": "granted"},
    {"source": "region", "program": "AAP Région Nouvelle-Aquitaine – Usine du futur", "amount_eur": 120000, "status": "granted"},
    {"source": "local_authority", "program": "Département des Landes – aide à l''innovation", "amount_eur": 50000, "status": "paid"}]',
  980000, pg_temp.demo_on('2025-04-01'), pg_temp.demo_on('2028-03-31')
),
(
  'c8000000-0000-4000-8000-000000000008', 'Pavillon collectif au salon du Bourget',
  'Un pavillon commun des sous-traitants aéronautiques d''Occitanie et des usineurs de la vallée de l''Arve au Salon international de l''aéronautique et de l''espace : stand partagé, programme de rendez-vous avec les donneurs d''ordres et conférences techniques.',
  'international', 'proof_of_concept', 'c1000000-0000-4000-8000-000000000004',
  '{c1000000-0000-4000-8000-000000000001}',
  '[{"company_id": "c2000000-0000-4000-8000-000000000022", "role": "lead"},
    {"company_id": "c2000000-0000-4000-8000-000000000023", "role": "partner"},
    {"company_id": "c2000000-0000-4000-8000-000000000024", "role": "partner"},
    {"company_id": "c2000000-0000-4000-8000-000000000002", "role": "partner"}]',
  '[]',
  '[{"source": "region", "program": "AAP Région Occitanie – Export collectif", "amount_eur": 60000, "status": "requested"},
    {"source": "bpifrance", "program": "Bpifrance – Assurance prospection", "amount_eur": 30000, "status": "requested"},
    {"source": "members", "program": null, "amount_eur": 45000, "status": "requested"}]',
  180000, pg_temp.demo_on('2027-01-15'), pg_temp.demo_on('2027-06-30')
),
(
  'c8000000-0000-4000-8000-000000000009', 'Formation mutualisée aux textiles techniques',
  'Parcours de formation commun aux tisseurs, fileurs et dentelliers du Nord pour passer aux textiles techniques : enduction, fibres recyclées, contrôle qualité. Quarante-deux salariés formés en deux promotions, avec l''ENSAIT.',
  'human_resources', 'completed', 'c1000000-0000-4000-8000-000000000007', '{}',
  '[{"company_id": "c2000000-0000-4000-8000-000000000033", "role": "partner"},
    {"company_id": "c2000000-0000-4000-8000-000000000034", "role": "partner"},
    {"company_id": "c2000000-0000-4000-8000-000000000035", "role": "partner"},
    {"company_id": "c2000000-0000-4000-8000-000000000036", "role": "lead"}]',
  '[{"partner_id": "c3000000-0000-4000-8000-000000000014", "role": "academic"}]',
  '[{"source": "state", "program": "OPCO 2i – actions collectives", "amount_eur": 38000, "status": "paid"},
    {"source": "region", "program": "AAP Région Hauts-de-France – Formation", "amount_eur": 12000, "status": "paid"}]',
  60000, pg_temp.demo_on('2023-09-01'), pg_temp.demo_on('2025-06-30')
),
(
  'c8000000-0000-4000-8000-000000000010', 'Démonstrateur d''hydroliennes pour les territoires insulaires',
  'Idée de démonstrateur commun entre la Bretagne, l''Atlantique et La Réunion : hydroliennes de petite puissance couplées à du stockage par batteries pour les îles non interconnectées. Montage du consortium et dépôt Horizon Europe visés pour l''an prochain.',
  'innovation', 'idea', 'c1000000-0000-4000-8000-000000000008',
  '{c1000000-0000-4000-8000-000000000012,c1000000-0000-4000-8000-000000000016}',
  '[{"company_id": "c2000000-0000-4000-8000-000000000038", "role": "lead"},
    {"company_id": "c2000000-0000-4000-8000-000000000040", "role": "partner"},
    {"company_id": "c2000000-0000-4000-8000-000000000064", "role": "partner"}]',
  '[{"partner_id": "c3000000-0000-4000-8000-000000000015", "role": "academic"},
    {"partner_id": "c3000000-0000-4000-8000-000000000017", "role": "support"}]',
  '[{"source": "eu", "program": "Horizon Europe – Cluster 5 Climat, énergie et mobilité", "amount_eur": 2500000, "status": "requested"}]',
  4200000, pg_temp.demo_on('2027-09-01'), pg_temp.demo_on('2031-08-31')
),
(
  'c8000000-0000-4000-8000-000000000011', 'Marque collective « Équipementiers de Champagne »',
  'Marque commune des fabricants de pressoirs, de cuves et d''enjambeurs champenois : identité visuelle, catalogue commun en trois langues et stand partagé au salon Vinitech-Sifel de Bordeaux.',
  'communication', 'completed', 'c1000000-0000-4000-8000-000000000013', '{}',
  '[{"company_id": "c2000000-0000-4000-8000-000000000055", "role": "lead"},
    {"company_id": "c2000000-0000-4000-8000-000000000056", "role": "partner"},
    {"company_id": "c2000000-0000-4000-8000-000000000057", "role": "partner"}]',
  '[{"partner_id": "c3000000-0000-4000-8000-000000000023", "role": "support"}]',
  '[{"source": "members", "program": null, "amount_eur": 18000, "status": "paid"},
    {"source": "region", "program": "AAP Région Grand Est – Marketing territorial", "amount_eur": 10000, "status": "paid"}]',
  28000, pg_temp.demo_on('2024-01-15'), pg_temp.demo_on('2025-12-31')
),
(
  'c8000000-0000-4000-8000-000000000012', 'Atelier mutualisé de réparation horlogère',
  'Projet d''atelier partagé de service après-vente et de restauration de montres mécaniques pour les horlogers du Haut-Doubs, avec une formation d''horloger-rhabilleur. Abandonné à la dissolution du SPL.',
  'other', 'abandoned', 'c1000000-0000-4000-8000-000000000014', '{}',
  '[{"company_id": "c2000000-0000-4000-8000-000000000058", "role": "lead"},
    {"company_id": "c2000000-0000-4000-8000-000000000059", "role": "partner"},
    {"company_id": "c2000000-0000-4000-8000-000000000060", "role": "partner"}]',
  '[{"partner_id": "c3000000-0000-4000-8000-000000000012", "role": "academic"}]',
  '[{"source": "local_authority", "program": "Communauté de communes du Val de Morteau", "amount_eur": 15000, "status": "requested"}]',
  90000, pg_temp.demo_on('2024-06-01'), pg_temp.demo_on('2026-05-31')
),
(
  'c8000000-0000-4000-8000-000000000013', 'Centrale d''achat de matériaux biosourcés en Corse',
  'Centrale d''achat commune aux artisans et négociants de l''éco-construction corse pour le bois local, le liège et les isolants naturels, afin de réduire les coûts d''approvisionnement sur l''île. Mis en sommeil avec la grappe.',
  'pooling', 'abandoned', 'c1000000-0000-4000-8000-000000000015', '{}',
  '[{"company_id": "c2000000-0000-4000-8000-000000000061", "role": "partner"},
    {"company_id": "c2000000-0000-4000-8000-000000000062", "role": "lead"}]',
  '[{"partner_id": "c3000000-0000-4000-8000-000000000006", "role": "funder"},
    {"partner_id": "c3000000-0000-4000-8000-000000000004", "role": "support"}]',
  '[{"source": "region", "program": "AAP Collectivité de Corse – Économie circulaire", "amount_eur": 35000, "status": "requested"}]',
  70000, pg_temp.demo_on('2025-01-01'), pg_temp.demo_on('2026-12-31')
),
(
  'c8000000-0000-4000-8000-000000000014', 'Mission export Maurice et Madagascar – solaire et stockage',
  'Missions de prospection des entreprises réunionnaises du solaire et du stockage d''énergie à Maurice et à Madagascar : rencontres avec les producteurs d''électricité, les industriels et les bailleurs, avec l''appui d''un pôle breton des énergies marines.',
  'international', 'running', 'c1000000-0000-4000-8000-000000000016',
  '{c1000000-0000-4000-8000-000000000008}',
  '[{"company_id": "c2000000-0000-4000-8000-000000000063", "role": "lead"},
    {"company_id": "c2000000-0000-4000-8000-000000000064", "role": "partner"}]',
  '[{"partner_id": "c3000000-0000-4000-8000-000000000007", "role": "funder"}]',
  '[{"source": "eu", "program": "Interreg VI-A Océan Indien", "amount_eur": 85000, "status": "granted"},
    {"source": "region", "program": "Région Réunion – chèque export", "amount_eur": 15000, "status": "paid"},
    {"source": "members", "program": null, "amount_eur": 22500, "status": "paid"}]',
  130000, pg_temp.demo_on('2026-05-01'), pg_temp.demo_on('2027-04-30')
),
(
  'c8000000-0000-4000-8000-000000000015', 'Flacons cosmétiques en plastique recyclé et verre allégé',
  'Éco-conception de flacons de parfum et de soins : polymères régénérés de qualité cosmétique, verre allégé de la vallée de la Bresle, décor sans solvant. Preuve de concept sur trois références avant industrialisation.',
  'innovation', 'proof_of_concept', 'c1000000-0000-4000-8000-000000000006',
  '{c1000000-0000-4000-8000-000000000005,c1000000-0000-4000-8000-000000000017}',
  '[{"company_id": "c2000000-0000-4000-8000-000000000030", "role": "lead"},
    {"company_id": "c2000000-0000-4000-8000-000000000031", "role": "partner"},
    {"company_id": "c2000000-0000-4000-8000-000000000029", "role": "partner"},
    {"company_id": "c2000000-0000-4000-8000-000000000065", "role": "partner"},
    {"company_id": "c2000000-0000-4000-8000-000000000028", "role": "subcontractor"}]',
  '[{"partner_id": "c3000000-0000-4000-8000-000000000002", "role": "support"},
    {"partner_id": "c3000000-0000-4000-8000-000000000021", "role": "funder"}]',
  '[{"source": "state", "program": "PIA 4 – Concours d''innovation i-Nov", "amount_eur": 480000, "status": "granted"},
    {"source": "region", "program": "AAP Région Centre-Val de Loire – Ambition R&D", "amount_eur": 150000, "status": "requested"}]',
  1348750.00, pg_temp.demo_on('2026-10-01'), pg_temp.demo_on('2029-09-30')
),
(
  'c8000000-0000-4000-8000-000000000016', 'Vivier mutualisé d''alternants en cybersécurité',
  'Idée de groupement d''employeurs pour recruter et former ensemble des alternants en cybersécurité et en science des données, partagés entre les jeunes entreprises du numérique francilien.',
  'human_resources', 'idea', 'c1000000-0000-4000-8000-000000000010', '{}',
  '[{"company_id": "c2000000-0000-4000-8000-000000000044", "role": "partner"},
    {"company_id": "c2000000-0000-4000-8000-000000000045", "role": "lead"},
    {"company_id": "c2000000-0000-4000-8000-000000000047", "role": "partner"}]',
  '[{"partner_id": "c3000000-0000-4000-8000-000000000019", "role": "support"}]',
  '[]', NULL, pg_temp.demo_on('2027-09-01'), pg_temp.demo_on('2029-08-31')
)
ON CONFLICT DO NOTHING;

-- Yearly indicators that the demo clusters declared for the three years before the year of
-- loading (the last one's figures below; the two years before scaled back a little), for the
-- benchmark, whose default is the last complete year. The ids carry the year, so that a load
-- in a later year adds that year. The SPL of the Haut-Doubs has declared nothing; the Corsican
-- grappe only its members and staff.
INSERT INTO indicators (id, cluster_id, year, members, staff_fte, budget_eur, public_funding_eur, projects_started, events_held)
SELECT ('c9000000-0000-4000-8000-' || lpad((y.year * 100 + d.n)::text, 12, '0'))::uuid,
       ('c1000000-0000-4000-8000-' || lpad(d.n::text, 12, '0'))::uuid, y.year,
       round(d.members * (1 - 0.06 * y.k)), round(d.staff * (1 - 0.05 * y.k), 1),
       round(d.budget * (1 - 0.07 * y.k), -3), round(d.public_funding * (1 - 0.07 * y.k), -3),
       greatest(d.projects - y.k, 0) + 0 * d.projects, greatest(d.events - 2 * y.k, 0) + 0 * d.events
FROM (VALUES
  (1, 310, 7.5, 980000, 410000, 5, 24),
  (2, 95, 3.0, 420000, 230000, 2, 11),
  (3, 140, 4.0, 510000, 260000, 3, 14),
  (4, 420, 32.0, 4600000, 2300000, 14, 45),
  (5, 180, 6.0, 760000, 300000, 4, 18),
  (6, 380, 25.0, 3900000, 1700000, 12, 40),
  (7, 120, 5.5, 640000, 350000, 3, 15),
  (8, 350, 18.5, 2700000, 1500000, 9, 30),
  (9, 160, 8.0, 890000, 480000, 4, 20),
  (10, 520, 40.0, 5800000, 2100000, 16, 60),
  (11, 210, 9.0, 950000, 380000, 5, 26),
  (12, 85, 3.5, 380000, 210000, 2, 9),
  (13, 60, 2.0, 240000, 150000, 1, 6),
  (15, 35, 0.5, NULL, NULL, NULL, NULL),
  (16, 45, 1.5, 190000, 140000, 1, 5),
  (17, 70, 2.5, 310000, 160000, 1, 8)
) AS d(n, members, staff, budget, public_funding, projects, events)
CROSS JOIN (SELECT k, extract(year FROM pg_temp.demo_today())::int - 1 - k AS year
            FROM (VALUES (0), (1), (2)) AS ks(k)) AS y
ON CONFLICT DO NOTHING;
