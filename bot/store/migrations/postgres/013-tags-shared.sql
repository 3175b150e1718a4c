-- The stories sharing a story's fandoms, characters and tags (what to read next) are found by
-- each of its tags in an index that holds the tag's kind too: without it PostgreSQL read every
-- story's tags and compared each name in any letter case (about 9 ms of the 15 of a reader
-- finishing a story, on the benchmark's large library), where SQLite looks each tag up.
CREATE INDEX story_tag_by_name_and_kind ON story_tag (name COLLATE nocase, kind, story_id);
