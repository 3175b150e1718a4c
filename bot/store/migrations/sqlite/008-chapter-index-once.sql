-- A chapter's text is added to the full-text index by the statement that stores it, after its
-- pages and excerpts, once for all the chapters written together: a trigger did it row by row,
-- and full-text search writes out what it has gathered before each statement that follows one
-- of its own, so a story of a hundred chapters made a hundred small pieces of index to merge.
DROP TRIGGER chapter_fts_insert;
