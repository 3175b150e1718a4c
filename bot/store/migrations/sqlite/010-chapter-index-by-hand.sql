-- A chapter leaves the full-text index the way it enters it: in the statement of the store
-- that removes it (library.py, `delete_chapters`), not by a trigger.
DROP TRIGGER chapter_fts_delete;
DROP TRIGGER chapter_fts_update;
