-- A phrase is looked up by its pairs of words side by side: the index of chapters' words holds
-- no positions, so without this each chapter holding every word of a phrase is read to see
-- whether they stand together (for a phrase of common words, most of the library). A pair is
-- two words' lexemes with a space between, as `words` has them (FTS5 keeps positions itself);
-- array_to_tsvector keeps each once.
CREATE FUNCTION storybot_pairs(words tsvector) RETURNS tsvector
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_to_tsvector(array_agg(pair)), ''::tsvector) FROM (
        SELECT lexeme || ' ' || lead(lexeme) OVER (ORDER BY position) AS pair,
            lead(position) OVER (ORDER BY position) - position AS apart
        FROM unnest(words) AS word (lexeme, positions, weights), unnest(positions) AS position
    ) AS pairs WHERE apart = 1
    $$;
-- The pairs of a phrase typed, all of them: the query of `pairs` a chapter holding it matches.
CREATE FUNCTION storybot_pairs_of(phrase text) RETURNS tsquery
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CAST(coalesce(string_agg(quote_literal(pair), ' & '), '') AS tsquery)
    FROM unnest(tsvector_to_array(storybot_pairs(to_tsvector('storybot_prose', phrase)))) AS pair
    $$;
ALTER TABLE chapter ADD COLUMN pairs TSVECTOR
    GENERATED ALWAYS AS (storybot_pairs(to_tsvector('storybot_prose', text))) STORED;
CREATE INDEX chapter_pairs ON chapter USING gin (pairs);
