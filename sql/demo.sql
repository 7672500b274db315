-- Demo data for Grappe: a handful of plausible French business clusters.
-- The organisations, SIRENs, addresses, e-mails and phone numbers are invented
-- (web sites use the reserved .example domain; phone numbers are in the ranges
-- that ARCEP keeps for fiction). Commune codes, postal codes and coordinates are real.
-- Idempotent: running it twice changes nothing. Fixed ids so that the README can
-- name them: c1000000-0000-4000-8000-0000000000NN.

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
