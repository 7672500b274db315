-- A SIRET's first nine digits are its company's SIREN, which must pass the Luhn key on its
-- own; 0004's siret_ok checked the 14 digits only (fuzz_body found SIRETs valid as a whole
-- whose SIREN is not). The C check (src/util/validate.c) and this one say the same again.
-- 356000000, La Poste's SIREN, passes the Luhn key.
CREATE OR REPLACE FUNCTION siret_ok(text) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT $1 ~ '^[0-9]{14}$' AND siren_ok(left($1, 9))
               AND (luhn_sum14($1) % 10 = 0 OR (left($1, 9) = '356000000' AND digit_sum14($1) % 5 = 0)) $$;
