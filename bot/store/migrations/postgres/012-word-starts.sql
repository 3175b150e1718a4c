-- The one or two letters a reader types first are looked up by the starts of the words of
-- titles and authors (each word's first letter and first two), as SQLite's story_word keeps
-- them (`prefix = '1 2'`): a prefix of the words themselves is found by reading every word that
-- starts so, whose number grows with the library. Stories are added seldom and looked up at
-- each keystroke, so the indexes take each story in at once (`fastupdate = off`) rather than
-- in a list that every lookup reads whole until the next vacuum.
CREATE FUNCTION storybot_word_starts(words tsvector) RETURNS tsvector
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_to_tsvector(array_agg(DISTINCT left(word, letters))), ''::tsvector)
    FROM unnest(tsvector_to_array(words)) AS word, generate_series(1, 2) AS letters
    $$;
DROP INDEX story_word;
DROP INDEX story_author_word;
CREATE INDEX story_word_start ON story USING gin (
    storybot_word_starts(to_tsvector('storybot_names', title::text || ' ' || author::text)))
    WITH (fastupdate = off);
CREATE INDEX story_author_word_start ON story USING gin (
    storybot_word_starts(to_tsvector('storybot_names', author::text))) WITH (fastupdate = off);
