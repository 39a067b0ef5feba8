-- Keep vectors in their rows. pgvector stores vector and halfvec out of line (storage EXTERNAL)
-- once a row passes PostgreSQL's 2 kB TOAST threshold: from about 500 dimensions for vector
-- (the default embedder has 896). An exact scan then fetched every vector through the TOAST
-- index: 2.7x slower over 100,000 practices (BENCHMARKS.md, "Speed on both backends"). MAIN with
-- a tuple target of one page keeps a row inline up to about 2,000 dimensions and moves only
-- larger vectors out of line. schema.set_vector_model sets MAIN again after it types a column
-- (ALTER COLUMN TYPE resets the storage to the type's default).
ALTER TABLE vectors SET (toast_tuple_target = 8160);
ALTER TABLE passages SET (toast_tuple_target = 8160);
ALTER TABLE vectors ALTER COLUMN embedding SET STORAGE MAIN;
ALTER TABLE passages ALTER COLUMN embedding SET STORAGE MAIN;

-- Rows written before stay out of line until rewritten: rewrite them, when there are any (an
-- UPDATE bumps the catalogue version through the statement triggers, even of no rows).
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM vectors WHERE pg_column_size(embedding) > 2000) THEN
        UPDATE vectors SET embedding = embedding::real[]::vector WHERE pg_column_size(embedding) > 2000;
    END IF;
    IF EXISTS (SELECT 1 FROM passages WHERE pg_column_size(embedding) > 2000) THEN
        UPDATE passages SET embedding = embedding::real[]::halfvec WHERE pg_column_size(embedding) > 2000;
    END IF;
END
$$;
