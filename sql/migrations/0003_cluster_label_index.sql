-- The label filter reads the schemes of a cluster's labels as a text array, so that a GIN
-- index serves it (jsonb_path_query_array is immutable; EXISTS over the elements is not
-- indexable).
CREATE FUNCTION label_schemes(jsonb) RETURNS text[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT jsonb_text_array(jsonb_path_query_array($1, '$[*].scheme')) $$;

DROP INDEX clusters_labels;
CREATE INDEX clusters_label_schemes ON clusters USING gin (label_schemes(labels));
